package io.ringpool.call;

import com.fasterxml.jackson.core.type.TypeReference;
import io.ringpool.store.StorageJson;
import java.util.List;

/** The {@code auto_tags_json} column: the tags keyword rules set on a call, each with its rule. */
final class AutoTags {

    private AutoTags() {}

    static List<CallReview.AutoTag> read(String json) {
        return StorageJson.readList(json, new TypeReference<List<CallReview.AutoTag>>() {});
    }

    static String write(List<CallReview.AutoTag> tags) {
        return tags.isEmpty() ? null : StorageJson.write(tags);
    }
}
