// The demo page's own script: tells the visitor which number the site script showed. A file, not
// inline, because the page's Content-Security-Policy allows scripts from this server only.
window.ringpool = window.ringpool || function () { (ringpool.q = ringpool.q || []).push(arguments); };
ringpool('number', function (number, tracked) {
  function show() {
    var state = document.getElementById('swap-state');
    if (number && tracked) {
      state.textContent = 'replaced it with ' + number + ', leased to this visit: the number you would dial now.';
      state.className = 'swapped';
      document.getElementById('command-number').textContent = number;
    } else {
      state.textContent = 'left it as it is: no number was leased to this visit (' + (ringpool.skip || 'the server gave none: '
          + 'the pool may be exhausted, or this host is not one of the site\u2019s domains') + ').';
      state.className = 'kept';
    }
  }
  document.readyState == 'loading' ? document.addEventListener('DOMContentLoaded', show) : show();
});
