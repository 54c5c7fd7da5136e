# Minimal W3C WebDriver client over chromedriver on port 19420 (a persistent session id in wd-<name>.sid).
import json, urllib.request, sys, base64, time
WD = "http://localhost:19420"
def _r(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    r = urllib.request.Request(WD + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try: return json.loads(urllib.request.urlopen(r, timeout=120).read())["value"]
    except urllib.error.HTTPError as e: return json.loads(e.read())["value"]
class S:
    def __init__(s, name="main", w=1400, h=1000, mobile=False, fresh=False):
        s.f = f"/tmp/audit-AI4-w/wd-{name}.sid"
        sid = None
        if not fresh:
            try: sid = open(s.f).read().strip(); _r("GET", f"/session/{sid}/url")["error"]; sid = None
            except (KeyError, TypeError): pass
            except Exception: sid = None
        if not sid:
            args = ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={w},{h}", "--disable-blink-features=AutomationControlled"]
            co = {"binary": "/usr/bin/chromium", "args": args, "excludeSwitches": ["enable-automation"]}
            if mobile: co["mobileEmulation"] = {"deviceMetrics": {"width": w, "height": h, "pixelRatio": 2}, "userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"}
            v = _r("POST", "/session", {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": co, "goog:loggingPrefs": {"browser": "ALL"}}}})
            sid = v["sessionId"]; open(s.f, "w").write(sid)
        s.sid = sid
    def get(s, url): return _r("POST", f"/session/{s.sid}/url", {"url": url})
    def js(s, script, *args): return _r("POST", f"/session/{s.sid}/execute/sync", {"script": script, "args": list(args)})
    def ajs(s, script, *args): return _r("POST", f"/session/{s.sid}/execute/async", {"script": script, "args": list(args)})
    def shot(s, path): open(path, "wb").write(base64.b64decode(_r("GET", f"/session/{s.sid}/screenshot")))
    def log(s): return _r("POST", f"/session/{s.sid}/se/log", {"type": "browser"})
    def find(s, css): 
        v = _r("POST", f"/session/{s.sid}/element", {"using": "css selector", "value": css}); return list(v.values())[0] if isinstance(v, dict) and "error" not in v else None
    def click(s, css): return _r("POST", f"/session/{s.sid}/element/{s.find(css)}/click", {})
    def type(s, css, text): return _r("POST", f"/session/{s.sid}/element/{s.find(css)}/value", {"text": text})
    def clear(s, css): return _r("POST", f"/session/{s.sid}/element/{s.find(css)}/clear", {})
    def text(s, css): return s.js("var e=document.querySelector(arguments[0]);return e?e.innerText:null", css)
    def quit(s): _r("DELETE", f"/session/{s.sid}")
    def resize(s, w, h): return _r("POST", f"/session/{s.sid}/window/rect", {"width": w, "height": h})
