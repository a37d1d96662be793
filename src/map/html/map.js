// harmspot map page: draws the layers in the data block as SVG in Web Mercator, with pan,
// zoom, layer toggles, legend, popups and a scale bar. Hand-written, no library.
// Every text from the data goes through textContent or setAttribute, never parsed as markup.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('map-data').textContent);
  var SVG = 'http://www.w3.org/2000/svg';
  var R = 6378137;
  var HALF = Math.PI * R; // half the Web Mercator world, metres
  var UNIT = data.unit; // drawing units per Mercator metre

  function svgEl(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, String(attrs[k]));
    }
    if (parent) parent.appendChild(e);
    return e;
  }

  function htmlEl(tag, cls, text, parent) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (parent) parent.appendChild(e);
    return e;
  }

  // ---- number and value formatting -------------------------------------------------------
  function fmtNumber(v) {
    if (Number.isInteger(v)) return String(v);
    // Two decimals from 100 up, four significant digits below (trailing zeros dropped).
    if (Math.abs(v) >= 100) return String(Number(v.toFixed(2)));
    return String(Number(v.toPrecision(4)));
  }

  function fmtValue(v) {
    if (v === null) return null; // suppressed
    if (typeof v === 'number') return fmtNumber(v);
    if (typeof v === 'string') return v;
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    if (Array.isArray(v)) {
      return v.map(function (x) { var s = fmtValue(x); return s === null ? 'suppressed' : s; }).join(', ');
    }
    return Object.keys(v).map(function (k) {
      var s = fmtValue(v[k]);
      return k + ': ' + (s === null ? 'suppressed' : s);
    }).join('; ');
  }

  function niceLength(max) {
    if (!(max > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log(max) / Math.LN10));
    var ms = [5, 2, 1];
    for (var i = 0; i < ms.length; i++) if (ms[i] * p <= max * (1 + 1e-12)) return ms[i] * p;
    return p;
  }

  function fmtLength(m) {
    return m >= 1000 ? (m / 1000) + ' km' : Math.round(m) + ' m';
  }

  // ---- page skeleton ---------------------------------------------------------------------
  var mapEl = document.getElementById('map');
  var svg = svgEl('svg', { 'id': 'svg', 'role': 'img', 'aria-label': data.title }, mapEl);
  var defs = svgEl('defs', {}, svg);

  function hatchPattern(id) {
    var p = svgEl('pattern', { 'id': id, 'patternUnits': 'userSpaceOnUse', 'width': 8, 'height': 8 }, defs);
    svgEl('rect', { 'width': 8, 'height': 8, 'fill': data.suppressed.fill }, p);
    svgEl('path', { 'd': 'M-2 2l4 -4M0 8l8 -8M6 10l4 -4', 'stroke': data.suppressed.hatch, 'stroke-width': 1.5 }, p);
    return p;
  }
  var hatch = hatchPattern('hatch'); // map units, rescaled on zoom to stay 8 px
  hatchPattern('hatch-legend'); // screen units, for swatches

  var view = svgEl('g', { 'id': 'view' }, svg);
  if (data.basemap) mapEl.classList.add('has-basemap');
  var tilesG = svgEl('g', { 'id': 'tiles' }, view);
  var labelsRoot = svgEl('g', { 'id': 'labels' }, svg);

  var controls = htmlEl('div', null, null, mapEl);
  controls.id = 'controls';
  function button(text, title, fn) {
    var b = htmlEl('button', null, text, controls);
    b.type = 'button';
    b.title = title;
    b.setAttribute('aria-label', title);
    b.addEventListener('click', function (e) { e.stopPropagation(); fn(); });
    b.addEventListener('pointerdown', function (e) { e.stopPropagation(); });
    return b;
  }

  var scalebar = htmlEl('div', null, null, mapEl);
  scalebar.id = 'scalebar';
  var scaleLabel = htmlEl('div', null, '', scalebar);
  var scaleBar = htmlEl('div', 'bar', null, scalebar);

  var north = htmlEl('div', null, null, mapEl);
  north.id = 'north';
  var arrow = svgEl('svg', { 'width': 18, 'height': 26, 'viewBox': '0 0 18 26', 'aria-label': 'North is up' }, north);
  svgEl('text', { 'x': 9, 'y': 8, 'text-anchor': 'middle', 'font-size': 9, 'font-weight': 700, 'fill': '#222' }, arrow).textContent = 'N';
  svgEl('path', { 'd': 'M9 10L3 25L9 21z', 'fill': '#222' }, arrow);
  svgEl('path', { 'd': 'M9 10L15 25L9 21z', 'fill': '#fff', 'stroke': '#222', 'stroke-width': 0.8 }, arrow);

  var popup = htmlEl('div', null, null, mapEl);
  popup.id = 'popup';
  popup.hidden = true;
  popup.addEventListener('pointerdown', function (e) { e.stopPropagation(); });
  popup.addEventListener('wheel', function (e) { e.stopPropagation(); });

  // ---- layers ----------------------------------------------------------------------------
  var groups = []; // {id, title, layer, g, labels, count, visible}
  var byId = {};
  var legendSections = {}; // group id -> legend <section>
  var k = 1, tx = 0, ty = 0, kFit = 1; // view: screen = local * k + t
  var featureCount = 0;

  function fillOf(L, F, mode) {
    if (mode === 'density') {
      if (F.f >= 0) return data.cells.fills[F.f];
      return F.f === -1 ? 'url(#hatch)' : data.cells.novalue;
    }
    if (mode === 'gistar') {
      if (F.g >= 0) return data.cells.gi[F.g];
      return F.g === -1 ? 'url(#hatch)' : data.cells.novalue;
    }
    return null;
  }

  function makeGroup(L, id, mode, title, visible) {
    var g = svgEl('g', { 'class': 'layer layer-' + mode, 'data-layer': id, 'data-file': L.file }, view);
    var n = 0;
    // areas by role, controls first (Role::z), so no site's outline is covered
    var z = function (F) { return (F.r ? data.roles[F.r] : data.roles.other).z; };
    var order = L.features.map(function (F, i) { return i; });
    if (mode === 'areas') order.sort(function (a, b) { return z(L.features[a]) - z(L.features[b]); });
    order.forEach(function (i) {
      var F = L.features[i];
      var role = F.r ? data.roles[F.r] : null;
      var style = {};
      if (mode === 'density' || mode === 'gistar') {
        style.fill = fillOf(L, F, mode);
      } else if (mode === 'areas') {
        var rc = role || data.roles.other;
        style.stroke = rc.colour;
        style.fill = rc.fill ? rc.colour : 'none';
        style['fill-opacity'] = 0.1;
        if (rc.dashed) style['stroke-dasharray'] = '7 4';
      } else if (mode === 'context') {
        style.stroke = data.context_outline;
        style.fill = 'none';
      } else if (mode === 'harmspots') {
        style.stroke = data.harmspot_fill;
        style.fill = data.harmspot_fill;
        style['fill-opacity'] = 0.85;
      } else if (mode === 'other') {
        style.stroke = L.colour;
        style.fill = L.colour;
      }
      if (F.d) {
        if (mode === 'hotspots') svgEl('path', { 'd': F.d, 'class': 'halo', 'fill-rule': 'evenodd' }, g);
        var p = svgEl('path', { 'd': F.d, 'class': 'f', 'fill-rule': 'evenodd', 'data-fid': i }, g);
        for (var k in style) p.setAttribute(k, style[k]);
        n++;
      }
      if (F.l) {
        svgEl('path', { 'd': F.l, 'class': 'f line', 'data-fid': i, 'stroke': style.stroke || L.colour || '#333' }, g);
        n++;
      }
      if (F.pts) {
        var d = F.pts.map(function (q) { return 'M' + q[0] + ' ' + q[1] + 'h0'; }).join('');
        svgEl('path', { 'd': d, 'class': 'f pt', 'data-fid': i, 'stroke': style.stroke || L.colour || '#333' }, g);
        n++;
      }
    });
    g.setAttribute('data-count', String(n));
    featureCount += n;
    var lg = svgEl('g', { 'class': 'labels', 'data-layer': id }, labelsRoot);
    var labels = (mode === 'gistar') ? [] : L.labels.map(function (lab) {
      // lab[3]: a caption above the point (area names) rather than centred on it.
      // harm spots' labels may move aside, tied to their spot by a leader line (drawn first)
      var leader = L.kind === 'harmspots' ? svgEl('line', { 'class': 'leader' }, lg) : null;
      var t = svgEl('text', lab[3] ? { 'class': 'above' } : {}, lg);
      t.textContent = lab[2];
      return { x: lab[0], y: lab[1], dy: lab[3] ? -4 : 0, el: t, leader: leader };
    });
    var grp = { id: id, title: title, layer: L, mode: mode, g: g, lg: lg, labels: labels, count: n, visible: visible };
    groups.push(grp);
    byId[id] = grp;
    setVisible(grp, visible);
  }

  data.layers.forEach(function (L) {
    if (L.kind === 'cells') {
      var cellsTitle = 'Cells: ' + (data.cells.property ? data.cells.property : 'grid');
      if (L.has_density || !L.has_gi) makeGroup(L, L.id, 'density', cellsTitle, data.cells.view === 'density' || !L.has_gi);
      if (L.has_gi) makeGroup(L, L.id + '-gistar', 'gistar', 'Cells: Gi* hot and cold spots', data.cells.view === 'gistar');
    } else {
      makeGroup(L, L.id, L.kind, L.title, L.shown);
    }
  });

  // ---- view ------------------------------------------------------------------------------

  function size() { return { w: mapEl.clientWidth || 800, h: mapEl.clientHeight || 600 }; }

  function fit() {
    var s = size();
    var e = data.extent;
    var w = Math.max(e[2] - e[0], 5000), h = Math.max(e[3] - e[1], 5000); // at least 500 m
    k = Math.min(s.w / (w * 1.08), s.h / (h * 1.08));
    kFit = k;
    tx = s.w / 2 - k * (e[0] + e[2]) / 2;
    ty = s.h / 2 - k * (e[1] + e[3]) / 2;
    redraw();
  }

  function zoomAt(f, sx, sy) {
    var nk = Math.min(Math.max(k * f, kFit / 32), kFit * 4096);
    f = nk / k;
    tx = sx - (sx - tx) * f;
    ty = sy - (sy - ty) * f;
    k = nk;
    redraw();
  }

  // Where a harm spot's label may go, in the order tried (as the PNG, src/map/png/labels.rs):
  // its centre offset from the spot by half label widths plus a gap (x) and label rows (y).
  var CANDIDATES = [[0, 0], [1, 0], [-1, 0]];
  for (var row = 1; row <= 6; row++) {
    CANDIDATES.push([0, -row], [0, row], [1, -row], [-1, -row], [1, row], [-1, row]);
  }

  function redraw() {
    view.setAttribute('transform', 'matrix(' + k + ' 0 0 ' + k + ' ' + tx + ' ' + ty + ')');
    hatch.setAttribute('patternTransform', 'scale(' + (1 / k) + ')');
    // Labels: top layer first, in feature order (hotspots by rank); one that would overlap
    // a label already placed, or would not lie wholly on the map, is hidden until the view
    // changes. A harm spot's label first tries the CANDIDATES around its spot.
    var s = size();
    // Widths as drawn, measured once per label (all shown first, then all measured: one layout).
    var unmeasured = [];
    groups.forEach(function (grp) {
      if (!grp.visible) return;
      grp.labels.forEach(function (lab) {
        if (!lab.w) { lab.el.style.display = ''; unmeasured.push(lab); }
      });
    });
    unmeasured.forEach(function (lab) {
      var tw = lab.el.getComputedTextLength();
      if (tw > 0) lab.w = tw + 4;
    });
    var placed = [];
    groups.slice().reverse().forEach(function (grp) {
      if (!grp.visible) return;
      grp.labels.forEach(function (lab) {
        var ax = lab.x * k + tx, ay = lab.y * k + ty + lab.dy;
        var w = lab.w || 7.5 * lab.el.textContent.length + 4, h = 15;
        var tries = lab.leader ? CANDIDATES : CANDIDATES.slice(0, 1);
        var box = null, x = ax, y = ay;
        for (var i = 0; i < tries.length && !box; i++) {
          x = ax + tries[i][0] * (w / 2 + 4);
          y = ay + tries[i][1] * h;
          var b = [x - w / 2, lab.dy ? y - h : y - h / 2, x + w / 2, lab.dy ? y : y + h / 2];
          var free = b[0] >= 0 && b[2] <= s.w && b[1] >= 0 && b[3] <= s.h && placed.every(function (o) {
            return b[2] <= o[0] || o[2] <= b[0] || b[3] <= o[1] || o[3] <= b[1];
          });
          if (free) box = b;
        }
        lab.el.style.display = box ? '' : 'none';
        var moved = box && (x !== ax || y !== ay);
        if (lab.leader) lab.leader.style.display = moved ? '' : 'none';
        if (!box) return;
        placed.push(box);
        lab.el.setAttribute('x', x.toFixed(1));
        lab.el.setAttribute('y', y.toFixed(1));
        if (moved) {
          lab.leader.setAttribute('x1', ax.toFixed(1));
          lab.leader.setAttribute('y1', ay.toFixed(1));
          lab.leader.setAttribute('x2', Math.min(Math.max(ax, box[0]), box[2]).toFixed(1));
          lab.leader.setAttribute('y2', Math.min(Math.max(ay, box[1]), box[3]).toFixed(1));
        }
      });
    });
    updateScale();
    updateTiles();
  }

  function updateScale() {
    var s = size();
    var my = data.origin[1] - ((s.h / 2 - ty) / k) / UNIT;
    var lat = Math.atan(Math.sinh(my / R));
    var mpp = Math.cos(lat) / (k * UNIT); // ground metres per screen pixel
    var len = niceLength(120 * mpp);
    scaleBar.style.width = (len / mpp).toFixed(1) + 'px';
    scaleLabel.textContent = fmtLength(len);
  }

  // ---- basemap tiles (only when a URL template was given) ----------------------------------
  var tiles = {};
  function updateTiles() {
    if (!data.basemap) return;
    var s = size();
    var mpp = 1 / (k * UNIT); // Mercator metres per screen pixel
    var z = Math.round(Math.log(2 * HALF / (256 * mpp)) / Math.LN2);
    z = Math.max(0, Math.min(19, z));
    var n = Math.pow(2, z), T = 2 * HALF / n;
    var x0 = data.origin[0] + (-tx / k) / UNIT, x1 = data.origin[0] + ((s.w - tx) / k) / UNIT;
    var y0 = data.origin[1] - (-ty / k) / UNIT, y1 = data.origin[1] - ((s.h - ty) / k) / UNIT;
    var i0 = Math.max(0, Math.floor((x0 + HALF) / T)), i1 = Math.min(n - 1, Math.floor((x1 + HALF) / T));
    var j0 = Math.max(0, Math.floor((HALF - y0) / T)), j1 = Math.min(n - 1, Math.floor((HALF - y1) / T));
    var want = {};
    if ((i1 - i0 + 1) * (j1 - j0 + 1) <= 200) {
      for (var i = i0; i <= i1; i++) {
        for (var j = j0; j <= j1; j++) {
          var key = z + '/' + i + '/' + j;
          want[key] = true;
          if (tiles[key]) continue;
          var url = data.basemap.url.split('{z}').join(String(z)).split('{x}').join(String(i))
            .split('{y}').join(String(j)).split('{s}').join('abc'.charAt((i + j) % 3));
          tiles[key] = svgEl('image', {
            'href': url,
            'x': ((-HALF + i * T) - data.origin[0]) * UNIT,
            'y': (data.origin[1] - (HALF - j * T)) * UNIT,
            // One tile pixel of overlap hides the seams anti-aliasing leaves between tiles.
            'width': T * UNIT * (1 + 1 / 256), 'height': T * UNIT * (1 + 1 / 256),
            'preserveAspectRatio': 'none', 'class': 'tile', 'data-tile': key
          }, tilesG);
        }
      }
    }
    Object.keys(tiles).forEach(function (key) {
      if (!want[key]) { tilesG.removeChild(tiles[key]); delete tiles[key]; }
    });
  }

  // ---- popups ---------------------------------------------------------------------------
  function hidePopup() { popup.hidden = true; while (popup.firstChild) popup.removeChild(popup.firstChild); }

  function showPopup(hits, sx, sy) {
    hidePopup();
    if (!hits.length) return;
    var close = htmlEl('button', 'close', '\u00d7', popup);
    close.type = 'button';
    close.setAttribute('aria-label', 'Close');
    close.addEventListener('click', hidePopup);
    hits.forEach(function (h) {
      var grp = byId[h.group];
      var L = grp.layer;
      var F = L.features[h.fid];
      htmlEl('h3', null, grp.title + ' #' + (h.fid + 1), popup);
      var table = htmlEl('table', null, null, popup);
      F.p.forEach(function (kv) {
        var tr = htmlEl('tr', null, null, table);
        htmlEl('td', null, L.keys[kv[0]], tr);
        var v = fmtValue(kv[1]);
        if (v === null) htmlEl('td', 'suppressed', 'suppressed', tr);
        else htmlEl('td', null, v, tr);
      });
      if (!F.p.length) htmlEl('p', null, 'no properties', popup);
    });
    popup.hidden = false;
    var s = size();
    var pw = popup.offsetWidth, ph = popup.offsetHeight;
    popup.style.left = Math.max(4, Math.min(sx + 12, s.w - pw - 4)) + 'px';
    popup.style.top = Math.max(4, Math.min(sy + 12, s.h - ph - 4)) + 'px';
  }

  function hitsAt(cx, cy) {
    var seen = {};
    var out = [];
    document.elementsFromPoint(cx, cy).forEach(function (e) {
      if (!e.getAttribute || e.getAttribute('data-fid') === null) return;
      var g = e.closest('g.layer');
      if (!g) return;
      var key = g.getAttribute('data-layer') + '/' + e.getAttribute('data-fid');
      if (seen[key]) return;
      seen[key] = true;
      out.push({ group: g.getAttribute('data-layer'), fid: Number(e.getAttribute('data-fid')) });
    });
    return out;
  }

  // ---- interaction ------------------------------------------------------------------------
  var drag = null;
  svg.addEventListener('pointerdown', function (e) {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, tx: tx, ty: ty, moved: false, id: e.pointerId };
    try { svg.setPointerCapture(e.pointerId); } catch (err) { /* not an active pointer (synthetic event) */ }
  });
  svg.addEventListener('pointermove', function (e) {
    if (!drag || e.pointerId !== drag.id) return;
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    if (!drag.moved) { drag.moved = true; mapEl.classList.add('dragging'); }
    tx = drag.tx + dx;
    ty = drag.ty + dy;
    redraw();
  });
  function endDrag(e) {
    if (!drag || e.pointerId !== drag.id) return;
    var wasClick = !drag.moved;
    drag = null;
    mapEl.classList.remove('dragging');
    if (wasClick && e.type === 'pointerup') {
      var r = mapEl.getBoundingClientRect();
      showPopup(hitsAt(e.clientX, e.clientY), e.clientX - r.left, e.clientY - r.top);
    }
  }
  svg.addEventListener('pointerup', endDrag);
  svg.addEventListener('pointercancel', endDrag);
  mapEl.addEventListener('wheel', function (e) {
    e.preventDefault();
    var r = mapEl.getBoundingClientRect();
    var step = e.deltaMode === 1 ? 0.05 : e.deltaMode === 2 ? 1 : 0.002;
    zoomAt(Math.exp(-e.deltaY * step), e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  mapEl.addEventListener('keydown', function (e) {
    var s = size();
    var handled = true;
    if (e.key === '+' || e.key === '=') zoomAt(2, s.w / 2, s.h / 2);
    else if (e.key === '-' || e.key === '_') zoomAt(0.5, s.w / 2, s.h / 2);
    else if (e.key === 'ArrowLeft') { tx += 80; redraw(); }
    else if (e.key === 'ArrowRight') { tx -= 80; redraw(); }
    else if (e.key === 'ArrowUp') { ty += 80; redraw(); }
    else if (e.key === 'ArrowDown') { ty -= 80; redraw(); }
    else if (e.key === 'Escape') hidePopup();
    else if (e.key === '0') fit();
    else handled = false;
    if (handled) e.preventDefault();
  });
  button('+', 'Zoom in', function () { var s = size(); zoomAt(2, s.w / 2, s.h / 2); });
  button('\u2212', 'Zoom out', function () { var s = size(); zoomAt(0.5, s.w / 2, s.h / 2); });
  button('\u2922', 'Fit to the layers', fit);
  window.addEventListener('resize', redraw);

  // ---- panel: layer toggles, legend, parameters, footer --------------------------------------

  function setVisible(grp, on) {
    grp.visible = on;
    grp.g.style.display = on ? '' : 'none';
    grp.lg.style.display = on ? '' : 'none';
    var sec = legendSections[grp.id];
    if (sec) sec.hidden = !on;
    if (on && typeof redraw === 'function' && view.hasAttribute('transform')) redraw();
  }

  function swatch(sw, parent) {
    var s = svgEl('svg', { 'width': 22, 'height': 14, 'viewBox': '0 0 22 14', 'aria-hidden': 'true' }, parent);
    if (sw.type === 'fill') svgEl('rect', { 'x': 0.5, 'y': 0.5, 'width': 21, 'height': 13, 'fill': sw.colour, 'stroke': '#999' }, s);
    else if (sw.type === 'hatch') svgEl('rect', { 'x': 0.5, 'y': 0.5, 'width': 21, 'height': 13, 'fill': 'url(#hatch-legend)', 'stroke': '#999' }, s);
    else if (sw.type === 'outline') {
      var r = svgEl('rect', { 'x': 1.5, 'y': 1.5, 'width': 19, 'height': 11, 'fill': sw.colour, 'fill-opacity': 0.12, 'stroke': sw.colour, 'stroke-width': 2 }, s);
      if (sw.dashed) r.setAttribute('stroke-dasharray', '4 2');
    } else if (sw.type === 'line') svgEl('path', { 'd': 'M1 7h20', 'stroke': sw.colour, 'stroke-width': 2 }, s);
    else if (sw.type === 'point') svgEl('circle', { 'cx': 11, 'cy': 7, 'r': 3.5, 'fill': sw.colour }, s);
    return s;
  }

  var legendEl = document.getElementById('legend');
  data.legend.forEach(function (sec) {
    var el = htmlEl('section', 'legend-section', null, legendEl);
    el.setAttribute('data-group', sec.group);
    htmlEl('h3', null, sec.title, el);
    if (sec.note) htmlEl('p', 'note', sec.note, el);
    var ul = htmlEl('ul', null, null, el);
    sec.entries.forEach(function (e) {
      var li = htmlEl('li', 'legend-entry', null, ul);
      swatch(e.swatch, li);
      htmlEl('span', null, e.label, li);
    });
    legendSections[sec.group] = el;
  });

  var layersEl = document.getElementById('layers');
  groups.slice().reverse().forEach(function (grp) {
    var label = htmlEl('label', null, null, layersEl);
    var box = htmlEl('input', null, null, label);
    box.type = 'checkbox';
    box.checked = grp.visible;
    box.setAttribute('data-layer', grp.id);
    box.addEventListener('change', function () { setVisible(grp, box.checked); });
    htmlEl('span', null, grp.title, label);
    var extra = grp.layer.skipped ? ', ' + grp.layer.skipped + ' without geometry' : '';
    htmlEl('span', 'count', '(' + grp.count + extra + ')', label);
    setVisible(grp, grp.visible);
  });

  var paramsEl = document.getElementById('params');
  data.params.forEach(function (kv) {
    htmlEl('dt', null, kv[0], paramsEl);
    htmlEl('dd', null, kv[1], paramsEl);
  });
  htmlEl('dt', null, 'harmspot', paramsEl);
  htmlEl('dd', null, data.version, paramsEl);

  var footer = document.getElementById('footer');
  htmlEl('span', null, data.attribution, footer);
  if (data.basemap && data.basemap.attribution) htmlEl('span', null, ' Basemap: ' + data.basemap.attribution, footer);

  // ---- go ---------------------------------------------------------------------------------
  fit();

  // #LAYER/INDEX opens that feature's popup.
  var m = /^#([^\/]+)\/(\d+)$/.exec(decodeURIComponent(location.hash || ''));
  if (m && byId[m[1]] && byId[m[1]].layer.features[Number(m[2])]) {
    var grp = byId[m[1]];
    if (!grp.visible) setVisible(grp, true);
    var target = grp.g.querySelector('[data-fid="' + Number(m[2]) + '"]');
    var bb = target ? target.getBBox() : { x: 0, y: 0, width: 0, height: 0 };
    showPopup([{ group: grp.id, fid: Number(m[2]) }], (bb.x + bb.width / 2) * k + tx, (bb.y + bb.height / 2) * k + ty);
  }

  document.documentElement.setAttribute('data-features', String(featureCount));
  document.documentElement.setAttribute('data-ready', 'true');
})();
