/*! Ringpool site script: swaps the site's number for the visitor's tracking number; fails open. Design and tunables: js-snippet/README.md */
(function(w,d){
var K='ringpool',HIDE='ringpool-hide',
THROTTLE=100,
MONTH=2592e6,
INLINE=/^(A|ABBR|B|BDI|CITE|CODE|DFN|EM|FONT|I|KBD|LABEL|MARK|NOBR|Q|S|SMALL|SPAN|STRONG|SUB|SUP|TIME|U)$/,
SKIP=/^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE|TEXTAREA|INPUT|SELECT|OPTION|IFRAME|OBJECT|CANVAS)$/,
JOIN=/^[\s\u00a0\u2007\u2009\u202f().\-\u2010-\u2015]{0,4}$/,
CC=/^(1|7|2[07]|3[0-469]|4[013-9]|5[1-8]|6[0-6]|8[1246]|9[0-58]|\d{3})/,
old=w[K],t0=Date.now(),wait,me,base,key,on,settled,consent=1,st={},S,D,N,nn,nd,
was=[],vars={},undo=[],waiters=[],mo,roots=[],tm,hb,heard,url=location.href;
function g(f){return function(){try{return f.apply(this,arguments)}catch(e){}}}
function why(){
return!key?'no_site_key':!consent?'no_consent':!/^https?:$/.test(location.protocol)?'protocol':''
}
var api=g(function(c,a){
if(c=='swap')sweep(d.body);
if(c=='consent')a===false?stop():(consent=1,start(1));
if(c=='number')settled?a(N,!!S):waiters.push(a);
});
function post(p,b,f){
var x=new XMLHttpRequest();
x.open('POST',base+'v1/sessions'+p);
x.timeout=15e3;
x.onreadystatechange=g(function(){
if(x.readyState==4&&f){var r;try{r=JSON.parse(x.responseText)}catch(e){}f(x.status,r)}
});
x.send(JSON.stringify(b));
}
function end(i){
navigator.sendBeacon&&navigator.sendBeacon(base+'v1/sessions/'+i+'/end','{}')||post('/'+i+'/end',{});
}
function load(){
var s,m;
try{s=localStorage.getItem(K)}catch(e){}
if(!s&&(m=/(?:^|; )ringpool=([^;]+)/.exec(d.cookie)))s=decodeURIComponent(m[1]);
try{s=JSON.parse(s)}catch(e){}
return s&&s.t>Date.now()-MONTH?s:{};
}
function save(){
if(!consent)return;
st.t=Date.now();st.s=S||0;
var s=JSON.stringify(st);
try{localStorage.setItem(K,s)}catch(e){d.cookie=K+'='+encodeURIComponent(s)+';path=/;max-age=2592000;samesite=lax'}
}
function ids(){
var c=d.cookie,o={},m;
if(m=/_ym_uid=(\d+)/.exec(c))o.ym=m[1];
if(m=/_ga=GA\d\.\d\.(\d+\.\d+)/.exec(c))o.ga=m[1];
return o;
}
function start(x){
if(on||(api.skip=why()))return;
on=1;settled=0;
listen();
st=load();
S=st.s;
if(S&&Date.parse(S.e)>Date.now()+2e3){show(S.n,S.d);tick(1)}else{S=0;open(x)}
}
function open(again){
post('',{
siteKey:key,visitorId:st.v,url:location.href,referrer:d.referrer,title:d.title,
clientIds:ids(),webdriver:!!navigator.webdriver
},function(c,r){
var t=r&&r.tracked&&r.sessionId;
if(!on)return t&&end(t);
if(!r||!r.number)return done();
if(r.visitorId)st.v=r.visitorId;
if(!again&&Date.now()-t0>wait){t&&end(t);S=0;save();return done()}
S=t?{i:t,n:r.number,d:r.defaultNumber,e:r.expiresAt,h:r.heartbeatSeconds}:0;
save();
show(r.number,r.defaultNumber||r.number);
tick();
});
}
function tick(pv){
clearTimeout(hb);
if(!S||!on||d.visibilityState=='hidden')return;
var i=S.i;
post('/'+i+'/heartbeat',{},function(c,r){
if(!S||S.i!=i)return;
if(c==200&&r){
S.e=r.expiresAt||S.e;save();
r.number&&r.number!=S.n&&show(S.n=r.number,D);
pv&&view();
}else if(c==410||c==404){S=0;save();open(1)}
});
hb=setTimeout(g(tick),Math.max(S.h||60,5)*1e3);
}
function view(){S&&post('/'+S.i+'/pageviews',{url:location.href,title:d.title})}
function intent(k){S&&post('/'+S.i+'/intent',{kind:k})}
function mine(s){return S&&nn&&String(s).replace(/\D/g,'').indexOf(nn)>=0}
function route(){
if(on&&location.href!=url){url=location.href;setTimeout(g(function(){view();sweep(d.body)}),THROTTLE)}
}
function listen(){
if(heard)return;
heard=1;
d.addEventListener('visibilitychange',g(function(){d.visibilityState=='visible'&&tick()}));
w.addEventListener('pageshow',g(function(e){e.persisted&&tick()}));
w.addEventListener('pagehide',g(function(){S&&on&&end(S.i)}));
d.addEventListener('click',g(function(e){
for(var a=e.target;a&&a.nodeName!='A';a=a.parentNode);
var h=a&&a.getAttribute('href');
/^tel:/i.test(h)&&mine(h)&&intent('tel_click');
}),true);
d.addEventListener('copy',g(function(){mine(w.getSelection())&&intent('copy')}));
w.addEventListener('popstate',g(route));
['pushState','replaceState'].forEach(function(k){
var f=history[k];
f&&(history[k]=function(){var r=f.apply(this,arguments);g(route)();return r});
});
}
function stop(){
consent=0;
if(on){on=0;S&&end(S.i);clearTimeout(hb);mo&&mo.disconnect();mo=0}
S=0;st={};
try{localStorage.removeItem(K)}catch(e){}
if(d.cookie.indexOf(K+'=')>=0)d.cookie=K+'=;path=/;max-age=0';
for(var u;u=undo.pop();)u[1]?u[0].setAttribute('href',u[2]):u[0].data=u[2];
N=0;was=[];
done();
}
function reveal(){
var e=d.documentElement,c=e.className;
if(c.indexOf(HIDE)>=0)e.className=c.replace(new RegExp(' ?'+HIDE,'g'),'');
}
function done(){
reveal();settled=1;
while(waiters.length)g(waiters.shift())(N,!!S);
}
function nsn(e){var n=e.replace(/\D/g,'');return n.slice(CC.exec(n)[0].length)}
function show(n,dn){
if(N&&N!=n)was.push(N);
N=n;D=dn;nn=nsn(N);nd=nsn(D);vars={};
[D].concat(was).forEach(function(f){
var a=f.replace(/\D/g,''),s=nsn(f);
if(f!=N)[a,s,'8'+s,'0'+s,'00'+a].forEach(function(v){vars[v]=s.length});
});
sweep(d.body||d.documentElement);
if(!mo&&w.MutationObserver){
mo=new MutationObserver(g(changed));
mo.observe(d.documentElement,{childList:!0,subtree:!0,characterData:!0,attributes:!0,attributeFilter:['href']});
}
done();
}
function changed(l){
for(var i=0;i<l.length;i++)roots.push(l[i].target);
tm=tm||setTimeout(g(flush),THROTTLE);
}
function flush(){
var r=roots,seen=[],i,e;
tm=0;roots=[];
for(i=0;i<r.length;i++){
e=blk(r[i]);
if(e&&seen.indexOf(e)<0&&d.documentElement.contains(e)){seen.push(e);sweep(e)}
}
}
function blk(n){
while(n&&(n.nodeType!=1||INLINE.test(n.nodeName)))n=n.parentNode;
return n;
}
function sweep(root){
if(!N||!root||!on)return;
var m,i,c;
if(N!=D){
m=root.querySelectorAll('[data-ringpool]');
if(c=root.closest&&root.closest('[data-ringpool]'))scan(c,1);
for(i=0;i<m.length;i++)scan(m[i],1);
}
scan(root);
m=root.querySelectorAll('a[href]');
for(i=0;i<m.length;i++)tel(m[i]);
mo&&mo.takeRecords();
}
function rep(s,L){return s.length>=L?s.slice(0,s.length-L)+nn:nn.slice(-s.length)}
function fmt(s,r){
var k=0,n=s.replace(/\D/g,'').length;
return s.replace(/\d/g,function(){return++k<n?r.charAt(k-1):r.slice(k-1)});
}
function tel(a){
var h=a.getAttribute('href'),m=/^tel:([^;,?]*)/i.exec(h),v,x,L;
if(!m)return;
v=m[1].replace(/\D/g,'');
x=N!=D&&a.closest&&a.closest('[data-ringpool]');
if(L=vars[v]||x&&v.length>6&&nd.length){
v=h.slice(0,4)+fmt(m[1],rep(v,L))+h.slice(m[0].length);
if(v!=h){undo.push([a,1,h]);a.setAttribute('href',v)}
}
}
function skipped(n){return n.nodeType==1&&(SKIP.test(n.nodeName)||n.isContentEditable)}
function scan(root,any){
for(var x=root;x;x=x.parentNode)if(skipped(x))return;
var tw=d.createTreeWalker(root,5,function(n){return skipped(n)?2:1},false),
segs=[],s='',t=[],re=/\d+/g,n,b,last,brk,m,i,j,k,a,hit,L,p,y,lj;
while(n=tw.nextNode()){
if(n.nodeType==1)brk=brk||!INLINE.test(n.nodeName);
else{
b=blk(n);
if(brk||b!=last)s+='|';
brk=0;last=b;
segs.push({n:n,o:s.length});
s+=n.data;
}
}
function jn(j){return JOIN.test(s.slice(t[j-1].index+t[j-1][0].length,t[j].index))}
while(m=re.exec(s))t.push(m);
for(i=0;i<t.length;i++){
lj=i&&jn(i);
for(a='',hit=-1,j=i;j<t.length&&(j==i||jn(j));j++){
a+=t[j][0];
if(a.length>17)break;
if(any?a.length>6&&a.length<16&&!(t[j+1]&&jn(j+1)):vars[a]&&(!lj||a.length>vars[a])){
hit=j;L=any?nd.length:vars[a];k=a;
}
}
if(hit<0)continue;
for(p=[];i<=hit;i++)for(j=0;j<t[i][0].length;j++)p.push(t[i].index+j);
i=hit;
k=rep(k,L);
for(j=0;j<p.length;j++){
for(x=segs.length-1;segs[x].o>p[j];x--);
y=segs[x];y.c=y.c||y.n.data.split('');
y.c[p[j]-y.o]=j<p.length-1?k.charAt(j):k.slice(j);
}
}
for(i=0;i<segs.length;i++){
y=segs[i];
if(y.c&&(a=y.c.join(''))!=y.n.data){undo.push([y.n,0,y.n.data]);y.n.data=a}
}
}
try{
if(old&&old.v)return;
me=d.currentScript||d.querySelector('script[data-site]');
key=me.getAttribute('data-site');
base=me.src.split('?')[0].replace(/[^\/]*$/,'');
if(me.getAttribute('data-consent')=='false')consent=0;
api.v=1;
w[K]=api;
wait=+me.getAttribute('data-timeout')||1000;
setTimeout(g(function(){N||done()}),wait);
for(var q=old&&old.q||[],i=0;i<q.length;i++)api.apply(0,q[i]);
start();
on||done();
}catch(e){reveal()}
})(window,document);