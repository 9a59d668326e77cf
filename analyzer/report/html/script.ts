// The page's only script, inlined and pinned by its hash in the Content-Security-Policy. It never builds
// markup from strings: the details panel is filled with clones of the findings already on the page and
// with textContent, so nothing from a bundle can become script. Works from file:// (no fetch, no module).
export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var ui = JSON.parse(document.getElementById('labsnap-ui').textContent);
  var svg = document.getElementById('topology');
  var view = document.querySelector('.topo-view');
  var panel = document.getElementById('panel-body');
  var drawer = document.getElementById('panel');
  var wrap = document.querySelector('.topo-wrap');
  var selected = null;
  // Until the reader zooms, the picture keeps fitting the width it has (which the panel changes).
  var autoFit = true;
  var refit = function () {};

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function para(cls, text) { var p = document.createElement('p'); p.className = cls; p.textContent = text; return p; }

  function elementById(id) {
    if (!svg) return null;
    var all = svg.querySelectorAll('[data-el]');
    for (var i = 0; i < all.length; i++) if (all[i].getAttribute('data-el') === id) return all[i];
    return null;
  }

  /** Scrolls the topology view (only it) so the element is inside it. */
  function revealInView(el) {
    var box = el.getBoundingClientRect(), port = view.getBoundingClientRect();
    if (box.left < port.left || box.right > port.right) view.scrollLeft += box.left - port.left - (port.width - box.width) / 2;
    if (box.top < port.top || box.bottom > port.bottom) view.scrollTop += box.top - port.top - (port.height - box.height) / 2;
  }

  function select(el, reveal) {
    if (selected) selected.classList.remove('selected');
    selected = el;
    el.classList.add('selected');
    if (!drawer.classList.contains('open')) {
      drawer.classList.add('open');
      wrap.classList.add('open');
      refit();
    }
    clear(panel);
    var title = null;
    for (var c = el.firstChild; c; c = c.nextSibling) if (c.nodeName === 'title') { title = c; break; }
    var lines = (title ? title.textContent : '').split('\\n');
    var h = document.createElement('h3');
    h.textContent = lines[0];
    panel.appendChild(h);
    if (lines.length > 1) panel.appendChild(para('facts', lines.slice(1).join('\\n')));
    var ids = (el.getAttribute('data-f') || '').split(' ').filter(Boolean);
    if (ids.length === 0) panel.appendChild(para('empty', ui.noFindings));
    ids.forEach(function (id) {
      var article = document.getElementById(id);
      if (!article) return;
      var copy = article.cloneNode(true);
      copy.removeAttribute('id');
      copy.querySelectorAll('[id]').forEach(function (n) { n.removeAttribute('id'); });
      copy.querySelectorAll('.targets').forEach(function (n) { n.remove(); });
      panel.appendChild(copy);
    });
    if (reveal) view.scrollIntoView({ block: 'start', behavior: 'auto' });
    revealInView(el);
  }

  if (drawer) {
    document.getElementById('panel-close').addEventListener('click', function () {
      drawer.classList.remove('open');
      wrap.classList.remove('open');
      refit();
      if (selected) selected.classList.remove('selected');
      selected = null;
    });
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && drawer.classList.contains('open')) document.getElementById('panel-close').click();
    });
  }

  if (svg && view) {
    var W = Number(svg.getAttribute('data-width')), H = Number(svg.getAttribute('data-height'));
    var scale = 1;
    var setScale = function (s, px, py) {
      s = Math.max(0.15, Math.min(3, s));
      var rect = view.getBoundingClientRect();
      var ox = px === undefined ? view.clientWidth / 2 : px - rect.left;
      var oy = py === undefined ? view.clientHeight / 2 : py - rect.top;
      var cx = (view.scrollLeft + ox) / scale, cy = (view.scrollTop + oy) / scale;
      scale = s;
      svg.setAttribute('width', String(Math.round(W * s)));
      svg.setAttribute('height', String(Math.round(H * s)));
      view.scrollLeft = cx * s - ox;
      view.scrollTop = cy * s - oy;
    };
    refit = function () {
      if (!autoFit) return;
      var fit = Math.min(1, (view.clientWidth - 4) / W);
      setScale(fit);
      // A small lab does not need a tall empty canvas.
      view.style.setProperty('--topo-h', Math.ceil(H * fit + 6) + 'px');
    };
    refit();
    document.getElementById('zoom-in').addEventListener('click', function () { autoFit = false; setScale(scale * 1.25); });
    document.getElementById('zoom-out').addEventListener('click', function () { autoFit = false; setScale(scale / 1.25); });
    document.getElementById('zoom-fit').addEventListener('click', function () {
      autoFit = false;
      setScale(Math.min(1, (view.clientWidth - 4) / W, (view.clientHeight - 4) / H));
    });
    view.addEventListener('wheel', function (e) {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      autoFit = false;
      setScale(scale * (e.deltaY < 0 ? 1.15 : 1 / 1.15), e.clientX, e.clientY);
    }, { passive: false });
    var drag = null;
    view.addEventListener('pointerdown', function (e) {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, left: view.scrollLeft, top: view.scrollTop, moved: false };
    });
    window.addEventListener('pointermove', function (e) {
      if (!drag) return;
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 5) return;
      drag.moved = true;
      view.classList.add('dragging');
      view.scrollLeft = drag.left - dx;
      view.scrollTop = drag.top - dy;
    });
    window.addEventListener('pointerup', function () {
      view.classList.remove('dragging');
      setTimeout(function () { drag = null; }, 0);
    });
    svg.addEventListener('click', function (e) {
      if (drag && drag.moved) return;
      var el = e.target.closest('[data-el]');
      if (el) select(el, false);
    });
    svg.addEventListener('keydown', function (e) {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      var el = e.target.closest('[data-el]');
      if (!el) return;
      e.preventDefault();
      e.stopPropagation();
      select(el, false);
    });
  }

  document.addEventListener('click', function (e) {
    var show = e.target.closest('button[data-show]');
    if (show) {
      var el = elementById(show.getAttribute('data-show'));
      if (el) select(el, true);
      return;
    }
    var button = e.target.closest('button.copy');
    if (!button) return;
    var code = button.parentElement.querySelector('code');
    var text = code ? code.textContent : '';
    var done = function () {
      button.textContent = ui.copied;
      button.classList.add('done');
      setTimeout(function () { button.textContent = ui.copy; button.classList.remove('done'); }, 1500);
    };
    var fallback = function () {
      var area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.appendChild(area);
      area.select();
      try { document.execCommand('copy'); done(); } finally { area.remove(); }
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
  });
})();
`;
