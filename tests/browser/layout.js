// What is wrong with the layout of the page as it is drawn now, for tests/browser/test_layout.py (added to every
// page of its browser contexts, like axe-core).
// A block is the box that holds a run of text (the text's nearest non-inline ancestor) or a replaced element
// (image, SVG, form field). Each block's box is clipped by its scrolling or clipping ancestors: a wide table
// scrolling within its wrapper covers nothing.
window.qicLayout = (() => {
  const TOLERANCE = 1;  // px: borders that touch do not overlap
  const OUTSIDE = 'header.fr-header, footer, .fr-skiplinks, dialog, .fr-modal, .fr-sr-only, [hidden]';
  const REPLACED = 'img, svg, input:not([type=hidden]), select, textarea, progress, canvas, video, iframe';

  const describe = (el) => {
    const classes = [...el.classList].slice(0, 2).map(c => '.' + c).join('');
    const text = (el.textContent || el.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim();
    return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${classes}>` + (text ? ` « ${text.slice(0, 50)} »` : '');
  };
  const clipped = (el) => {
    const r = el.getBoundingClientRect();
    const box = {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
    for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const ar = a.getBoundingClientRect();
      if (style.overflowX !== 'visible') { box.left = Math.max(box.left, ar.left); box.right = Math.min(box.right, ar.right); }
      if (style.overflowY !== 'visible') { box.top = Math.max(box.top, ar.top); box.bottom = Math.min(box.bottom, ar.bottom); }
    }
    return box;
  };
  const meet = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > TOLERANCE
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > TOLERANCE;
  const outermostSvg = (el) => { let svg = el.closest('svg'); while (svg && svg.parentElement && svg.parentElement.closest('svg')) svg = svg.parentElement.closest('svg'); return svg; };

  function blocks() {
    const found = new Set();
    const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT,
      {acceptNode: n => n.data.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT});
    while (texts.nextNode()) {
      let el = texts.currentNode.parentElement;
      const svg = outermostSvg(el);
      if (svg) { found.add(svg); continue; }
      while (el && el !== document.body && ['inline', 'contents'].includes(getComputedStyle(el).display)) el = el.parentElement;
      if (el && el !== document.body) found.add(el);
    }
    for (const el of document.body.querySelectorAll(REPLACED)) found.add(outermostSvg(el) || el);
    const shown = [];
    for (const el of found) {
      if (el.closest(OUTSIDE) || !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
      const box = clipped(el);
      if (box.right - box.left > 2 && box.bottom - box.top > 2) shown.push({el, box});
    }
    return shown.sort((a, b) => a.box.top - b.box.top);
  }

  // Geometry: blocks drawn over each other or over the footer, and how far the page scrolls sideways.
  function measure() {
    const all = blocks();
    const overlaps = [];
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length && all[j].box.top < all[i].box.bottom - TOLERANCE; j++) {
        const [a, b] = [all[i], all[j]];
        if (meet(a.box, b.box) && !a.el.contains(b.el) && !b.el.contains(a.el)) overlaps.push([describe(a.el), describe(b.el)]);
      }
    }
    const foot = document.querySelector('footer.fr-footer');
    const footer = foot ? all.filter(({box}) => meet(box, foot.getBoundingClientRect())).map(({el}) => describe(el)) : [];
    const root = document.documentElement;
    const sideways = Math.max(0, root.scrollWidth - root.clientWidth);
    const wide = [];
    if (sideways) {
      const out = [...document.body.querySelectorAll('*')].filter(el => !el.closest('svg *') && el.checkVisibility()
        && clipped(el).right > root.clientWidth + TOLERANCE);
      wide.push(...out.filter(el => !out.some(other => other !== el && el.contains(other))).slice(0, 5).map(describe));
    }
    // A button or link drawn with its icon beside its label (`fr-btn--icon-left`/`-right`) whose label is cut:
    // the DSFR's icon-only style (a button group without `fr-btns-group--icon-left`) hides it.
    const cut = [...document.body.querySelectorAll('.fr-btn--icon-left, .fr-btn--icon-right')]
      .filter(el => !el.closest(OUTSIDE) && el.checkVisibility() && el.textContent.trim()
        && el.scrollWidth > el.clientWidth + TOLERANCE)
      .slice(0, 10).map(describe);
    return {sideways, wide, overlaps: overlaps.slice(0, 10), footer: footer.slice(0, 10), cut};
  }

  // Colours of charts and diagrams (SVG images): what draws them must stand out from the background by 3:1
  // (WCAG 1.4.11, non-text contrast; axe-core checks text only). Translucent strokes are decoration (axes), a
  // shape as large as the image is its canvas, a shape drawn in two colours needs one of them to stand out.
  const rgb = (paint) => {
    const m = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/.exec(paint || '');
    return m && (m[4] === undefined || +m[4] === 1) ? [+m[1], +m[2], +m[3]] : null;
  };
  const luminance = (c) => {
    const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const background = (el) => {
    for (let a = el; a; a = a.parentElement) { const c = rgb(getComputedStyle(a).backgroundColor); if (c) return c; }
    return [255, 255, 255];
  };
  function graphics() {
    const problems = new Set();
    for (const svg of document.querySelectorAll('svg[role="img"]')) {
      if (svg.closest(OUTSIDE) || !svg.checkVisibility()) continue;
      const behind = background(svg.parentElement);
      const title = (svg.querySelector('title') || {}).textContent || '';
      const area = (r) => r.width * r.height;
      const canvas = area(svg.getBoundingClientRect());
      for (const shape of svg.querySelectorAll('line, polyline, polygon, path, circle, ellipse, rect')) {
        const style = getComputedStyle(shape);
        if (+style.opacity < 1 || area(shape.getBoundingClientRect()) > 0.9 * canvas) continue;  // or the canvas
        const inks = [];
        if (+style.strokeOpacity === 1 && parseFloat(style.strokeWidth) > 0) inks.push(rgb(style.stroke));
        if (shape.tagName !== 'line' && +style.fillOpacity === 1) inks.push(rgb(style.fill));
        const drawn = inks.filter(Boolean);
        if (!drawn.length) continue;
        const best = Math.max(...drawn.map(c => ratio(c, behind)));
        if (best < 3) {
          problems.add(`« ${title.trim().slice(0, 50)} »: <${shape.tagName}> in rgb(${drawn[0]}) on rgb(${behind}): ${best.toFixed(2)}:1`);
        }
      }
    }
    return [...problems].slice(0, 10);
  }

  // axe-core leaves text over a background image unchecked ("incomplete"), and the DSFR draws borders with
  // gradients (table cells, tiles, the band of an alert): flatten() turns solid-colour gradients into what
  // they draw under the text (a gradient covering the box becomes its background colour, a line or a band is
  // dropped) so that axe checks that text too; restore() puts the page back.
  let flattened = [];
  const layers = (value) => {
    const out = []; let depth = 0, start = 0;
    for (let i = 0; i < value.length; i++) {
      if (value[i] === '(') depth++; else if (value[i] === ')') depth--;
      else if (value[i] === ',' && depth === 0) { out.push(value.slice(start, i).trim()); start = i + 1; }
    }
    return [...out, value.slice(start).trim()];
  };
  function flatten() {
    for (const el of document.body.querySelectorAll('*')) {
      const style = getComputedStyle(el);
      if (!style.backgroundImage.includes('gradient(') || style.backgroundImage.includes('url(')) continue;
      const images = layers(style.backgroundImage), sizes = layers(style.backgroundSize);
      let cover = null, solid = true;
      images.forEach((image, i) => {
        const colours = new Set(image.match(/rgba?\([^)]*\)/g) || []);
        if (colours.size !== 1) { solid = false; return; }
        const size = sizes[i % sizes.length] || 'auto';
        if (['auto', 'auto auto', '100%', '100% 100%', 'cover'].includes(size) && cover === null) cover = [...colours][0];
      });
      if (!solid) continue;
      flattened.push([el, el.style.backgroundImage, el.style.backgroundColor]);
      el.style.backgroundImage = 'none';
      if (cover) el.style.backgroundColor = cover;
    }
  }
  function restore() {
    for (const [el, image, colour] of flattened) { el.style.backgroundImage = image; el.style.backgroundColor = colour; }
    flattened = [];
  }

  return {measure, graphics, flatten, restore};
})();
