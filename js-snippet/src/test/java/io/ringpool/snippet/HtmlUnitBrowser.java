package io.ringpool.snippet;

import java.net.URL;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.htmlunit.BrowserVersion;
import org.htmlunit.Page;
import org.htmlunit.ScriptException;
import org.htmlunit.WebClient;
import org.htmlunit.WebRequest;
import org.htmlunit.WebWindow;
import org.htmlunit.html.HtmlPage;
import org.htmlunit.javascript.DefaultJavaScriptErrorListener;

/** HtmlUnit (pure Java, needs nothing installed) posing as Chrome; each {@link #open} is a new top-level window. */
final class HtmlUnitBrowser implements Browser {
    private WebClient client;
    private int windows;
    private final List<String> errors = new CopyOnWriteArrayList<>();

    HtmlUnitBrowser() {
        client = newClient();
    }

    private WebClient newClient() {
        WebClient c = new WebClient(BrowserVersion.CHROME);
        c.getOptions().setThrowExceptionOnScriptError(false);
        c.getOptions().setThrowExceptionOnFailingStatusCode(false);
        c.getOptions().setPrintContentOnFailingStatusCode(false);
        c.getOptions().setCssEnabled(true);
        c.getOptions().setTimeout(10_000);
        c.setJavaScriptErrorListener(new DefaultJavaScriptErrorListener() {
            @Override
            public void scriptException(HtmlPage page, ScriptException e) {
                errors.add(page.getUrl() + ": " + e.getMessage());
            }
        });
        return c;
    }

    @Override
    public Tab open(String url) throws Exception {
        WebWindow w = client.openWindow(new URL(url), "tab" + (++windows));
        return new HtmlUnitTab(w);
    }

    @Override
    public void reset() {
        client.close();
        client = newClient();
        errors.clear();
    }

    @Override
    public List<String> scriptErrors() {
        return List.copyOf(errors);
    }

    @Override
    public void close() {
        client.close();
    }

    private record HtmlUnitTab(WebWindow window) implements Tab {
        @Override
        public Object js(String body) {
            Page p = window.getEnclosedPage();
            Object v = ((HtmlPage) p).executeJavaScript("(function(){" + body + "})()").getJavaScriptResult();
            if (v instanceof CharSequence s) return s.toString();
            if (v instanceof Number || v instanceof Boolean) return v;
            return null;
        }

        @Override
        public void navigate(String url) throws Exception {
            window.getWebClient().getPage(window, new WebRequest(new URL(url)));
        }
    }
}
