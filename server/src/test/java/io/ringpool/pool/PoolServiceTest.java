package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.app.TestDomain;
import io.ringpool.failure.DomainFailure;
import io.ringpool.site.InvalidNumber;
import io.ringpool.site.UnknownSite;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pools and static numbers through their service, without HTTP, on a real store. */
class PoolServiceTest {
    @TempDir
    Path dir;
    TestDomain domain;
    String siteId;

    @BeforeEach
    void open() {
        domain = new TestDomain(dir);
        siteId = domain.createShop().site().siteId();
    }

    @AfterEach
    void close() {
        domain.close();
    }

    private PoolState pool(String name, String... numbers) {
        return domain.pools.create(siteId, new NewPool(name, null, null, List.of(numbers)));
    }

    @Test
    void aPoolIsCreatedWithItsNumbersInE164AndANameWhenNoneIsGiven() {
        PoolState p = domain.pools.create(siteId, new NewPool(null, 5, Map.of("utm_source", "Google"),
                List.of("+7 495 000-01-01", "+74950000102")));
        assertThat(p.pool().name()).isEqualTo("Pool 1");
        assertThat(p.pool().priority()).isEqualTo(5);
        assertThat(p.pool().match().rules()).containsEntry("source", "google");
        assertThat(p.numbers()).containsExactlyInAnyOrder("+74950000101", "+74950000102");
    }

    @Test
    void poolsNumbersAndStaticNumbersSurviveARestart() {
        PoolState p = pool("main", "+74950000101", "+74950000102");
        domain.pools.retire(siteId, p.pool().poolId(), "+74950000102");
        domain.pools.addStatic(siteId, new NewStaticNumber("+74950000199", "billboard", "offline", null, null));
        domain.restart();
        PoolState loaded = domain.pools.pool(siteId, p.pool().poolId());
        assertThat(loaded.hasNumber("+74950000101")).isTrue();
        assertThat(domain.pools.snapshot(loaded).retired()).isEqualTo(1);
        assertThat(domain.pools.staticNumber(siteId, "+74950000199")).get()
                .satisfies(s -> assertThat(s.source()).isEqualTo("billboard"));
    }

    @Test
    void aNumberAlreadyInAPoolOfTheSiteIsNumberInUseAndNothingIsAdded() {
        PoolState first = pool("first", "+74950000101");
        assertThatThrownBy(() -> pool("second", "+74950000102", "+74950000101"))
                .isInstanceOfSatisfying(NumberInUse.class, f -> {
                    assertThat(f.kind()).isEqualTo(DomainFailure.Kind.CONFLICT);
                    assertThat(f.field()).isEqualTo("numbers[1]");
                });
        assertThat(domain.pools.pool(siteId, first.pool().poolId()).numbers()).containsExactly("+74950000101");
        assertThat(domain.poolRegistry.ofSite(siteId)).hasSize(1);
        assertThat(domain.poolRegistry.holding(siteId, "+74950000102")).isEmpty();
    }

    @Test
    void theSitesDefaultNumberCannotJoinAPoolBecauseVisitorsSeeItUntracked() {
        assertThatThrownBy(() -> pool("main", "+74951234567")).isInstanceOf(NumberInUse.class);
    }

    @Test
    void aNumberRepeatedInOneCommandIsInvalidNamingTheRepeat() {
        assertThatThrownBy(() -> pool("main", "+74950000101", "+7 495 000-01-01"))
                .isInstanceOfSatisfying(DomainFailure.class, f -> {
                    assertThat(f.code()).isEqualTo("invalid_value");
                    assertThat(f.field()).isEqualTo("numbers[1]");
                });
    }

    @Test
    void aNumberThatIsNotE164IsAnInvalidNumberNamingItsPlace() {
        assertThatThrownBy(() -> pool("main", "+74950000101", "not a number"))
                .isInstanceOfSatisfying(InvalidNumber.class, f -> assertThat(f.field()).isEqualTo("numbers[1]"));
    }

    @Test
    void aNumberStoredBeforeImpossibleNumbersWereRefusedCanStillBeRetired() {
        PoolState p = pool("main", "+74950000101");
        new PoolStore(domain.db()).addNumbers(p.pool(), List.of("+7495777"), domain.clock.millis()); // as an older server took it
        domain.restart();
        domain.pools.retire(siteId, p.pool().poolId(), "+7495777");
        assertThat(domain.pools.pool(siteId, p.pool().poolId()).numbers()).containsExactly("+74950000101");
        assertThatThrownBy(() -> domain.pools.addNumbers(siteId, p.pool().poolId(), List.of("+7495777")))
                .as("but it does not come back").isInstanceOf(InvalidNumber.class);
    }

    @Test
    void aRetiredNumberAddedBackIsGivenOutAgainAndStaysBackAfterARestart() {
        PoolState p = pool("main", "+74950000101", "+74950000102");
        domain.pools.retire(siteId, p.pool().poolId(), "+74950000102");
        domain.restart();
        PoolState loaded = domain.pools.pool(siteId, p.pool().poolId());
        assertThat(loaded.isRetired("+74950000102")).isTrue();

        assertThat(domain.pools.addNumbers(siteId, p.pool().poolId(), List.of("+74950000102"))).containsExactly("+74950000102");
        assertThat(loaded.isRetired("+74950000102")).isFalse();
        assertThat(domain.pools.snapshot(loaded).free()).isEqualTo(2);
        domain.restart();
        PoolState reloaded = domain.pools.pool(siteId, p.pool().poolId());
        assertThat(reloaded.numbers()).containsExactly("+74950000101", "+74950000102");
        assertThat(domain.pools.snapshot(reloaded).retired()).isZero();
    }

    @Test
    void aMatchKeyPoolsDoNotKnowIsInvalidNamingTheKey() {
        assertThatThrownBy(() -> domain.pools.create(siteId, new NewPool("p", null, Map.of("utm_sauce", "x"), null)))
                .isInstanceOfSatisfying(DomainFailure.class, f -> assertThat(f.field()).isEqualTo("match.utm_sauce"));
    }

    @Test
    void addingNumbersNeedsAtLeastOneAndAPoolOfThisSite() {
        PoolState p = pool("main", "+74950000101");
        assertThatThrownBy(() -> domain.pools.addNumbers(siteId, p.pool().poolId(), List.of()))
                .isInstanceOfSatisfying(DomainFailure.class, f -> assertThat(f.code()).isEqualTo("missing_field"));
        String otherSite = domain.createShop().site().siteId();
        assertThatThrownBy(() -> domain.pools.addNumbers(otherSite, p.pool().poolId(), List.of("+74950000102")))
                .isInstanceOf(UnknownPool.class);
        assertThat(domain.pools.addNumbers(siteId, p.pool().poolId(), List.of("+7 495 000 01 02")))
                .containsExactly("+74950000102");
        assertThat(p.hasNumber("+74950000102")).isTrue();
    }

    @Test
    void retiringANumberThePoolDoesNotHaveIsNumberNotInPool() {
        PoolState p = pool("main", "+74950000101");
        assertThatThrownBy(() -> domain.pools.retire(siteId, p.pool().poolId(), "+74950000109"))
                .isInstanceOf(NumberNotInPool.class);
    }

    @Test
    void aStaticNumberNeedsASourceAndMayNotBeAPoolNumber() {
        pool("main", "+74950000101");
        assertThatThrownBy(() -> domain.pools.addStatic(siteId, new NewStaticNumber("+74950000199", " ", null, null, null)))
                .isInstanceOfSatisfying(DomainFailure.class, f -> assertThat(f.field()).isEqualTo("source"));
        assertThatThrownBy(() -> domain.pools.addStatic(siteId, new NewStaticNumber("+74950000101", "billboard", null, null, null)))
                .isInstanceOf(NumberInUse.class);
        domain.pools.addStatic(siteId, new NewStaticNumber("+74950000199", "billboard", null, null, null));
        assertThatThrownBy(() -> domain.pools.addStatic(siteId, new NewStaticNumber("+74950000199", "radio", null, null, null)))
                .isInstanceOf(NumberInUse.class);
        assertThat(domain.pools.staticNumbers(siteId)).extracting(StaticNumber::source).containsExactly("billboard");
    }

    @Test
    void aPoolForASiteThatDoesNotExistIsUnknownSite() {
        assertThatThrownBy(() -> domain.pools.create("st_nope", new NewPool("p", null, null, List.of("+74950000101"))))
                .isInstanceOf(UnknownSite.class);
    }
}
