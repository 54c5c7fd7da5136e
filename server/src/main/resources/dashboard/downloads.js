/* "Download CSV" on the call log, the lead log and the report tables (audit AI4 F16). Each button
 * asks the server for the CSV of the very query its table was loaded with (range, filters, model,
 * grouping, rows shown: app.js's Ringpool.downloads), so the file holds what is on screen, in the
 * site's time zone, masked as the screen is for a viewer. The file is saved under the name the
 * server gave it (the site's name in it, F11) and the line beside the button says what was saved. */
(function () {
  var R = window.Ringpool;
  if (!R || !R.downloads) return;
  var el = R.el;

  // Where each button goes: the table's card header (or, for the logs, beside their filters).
  var PLACES = [
    { key: 'calls', after: 'call-filters', label: 'call log' },
    { key: 'leads', after: 'lead-filters', label: 'lead log' },
    { key: 'sources', card: 'sources', label: 'Top sources' },
    { key: 'daily', card: 'daily-chart', label: 'calls per day' },
    { key: 'time', card: 'heatmap', label: 'calls by weekday and hour' },
    { key: 'devices', card: 'devices', label: 'devices' },
    { key: 'paths', card: 'paths', label: 'paths to a call' }
  ];

  PLACES.forEach(function (p) {
    var status = el('span', { class: 'hint download-status', id: 'download-status-' + p.key, role: 'status' });
    var button = el('button', { type: 'button', class: 'ghost download-csv', id: 'download-' + p.key, 'data-download': p.key,
      title: 'The ' + p.label + ' as on screen, as a CSV file Excel opens', text: 'Download CSV',
      onclick: function () { download(p, button, status); } });
    var box = el('span', { class: 'download' }, [button, ' ', status]);
    if (p.after) {
      var form = document.getElementById(p.after);
      form.parentNode.insertBefore(box, form.nextSibling);
    } else {
      document.getElementById(p.card).closest('article').querySelector('header').appendChild(box);
    }
  });

  function download(p, button, status) {
    if (!R.state.site) return;
    button.disabled = true;
    status.textContent = 'Preparing…';
    var path = R.downloads[p.key]();
    // Where 1.5 is written "1,5", Excel splits a CSV on ';': the server writes that layout (audit AN2 F7).
    if ((1.5).toLocaleString().indexOf(',') >= 0) path += (path.indexOf('?') < 0 ? '?' : '&') + 'separator=semicolon';
    R.api(R.site(path), { raw: true }).then(function (r) {
      var name = R.fileName(r, p.key + '.csv'), rows = r.headers.get('X-Ringpool-Exported-Rows');
      return r.blob().then(function (blob) {
        var a = el('a', { href: URL.createObjectURL(blob), download: name });
        document.body.appendChild(a); a.click(); a.remove();
        // Past 1 MiB the count comes as a trailer fetch() cannot read: the file's own lines are counted then.
        return rows != null ? Number(rows) : blob.text().then(function (text) { return R.csvDataRows(text.replace(/^\uFEFF/, '')) - countsTotal(p); });
      }).then(function (n) {
        status.textContent = 'Downloaded ' + name + R.forSite() + ': ' + R.plural(n, 'row') + '.';
        status.dataset.file = name;
      });
    }).catch(function (x) {
      status.textContent = 'Download failed: ' + x.message;
    }).then(function () { button.disabled = false; });
  }
  /* csvDataRows counts every record after the header; the grouped reports end with a "Total" row. */
  function countsTotal(p) { return p.key === 'sources' || p.key === 'devices' ? 1 : 0; }
})();
