// Outline what newswire's checks looked at on a copy (pickups/screenshot.py runs it).
(t) => {
  const marks = [];
  const colours = t.colours;
  function mark(el, what) {
    el.style.setProperty('outline', '4px solid ' + colours[what], 'important');
    el.style.setProperty('outline-offset', '2px', 'important');
    if (!marks.includes(what)) marks.push(what);
  }
  for (const el of document.querySelectorAll('img, object, embed, input, svg, amp-img, picture, [style*="url("]')) {
    const image = el.querySelector && el.querySelector('image');
    const src = [el.currentSrc, el.src, el.data, el.getAttribute('srcset'), el.getAttribute('style'),
                 image && (image.getAttribute('href') || image.getAttribute('xlink:href'))].join(' ');
    const alt = (el.getAttribute('alt') || el.getAttribute('aria-label') || '').toLowerCase();
    if ((t.logo_stem && src.includes(t.logo_stem)) || (t.logo_alt && alt.includes(t.logo_alt))) mark(el, 'logo');
    if (t.photos.some(p => p && src.includes(p))) mark(el, 'restricted photo');
  }
  for (const el of document.querySelectorAll('*')) {
    const bg = getComputedStyle(el).backgroundImage;
    if (t.logo_stem && bg && bg.includes(t.logo_stem)) mark(el, 'logo');
  }
  if (t.byline) {
    const want = t.byline.toLowerCase();
    let best = null;
    for (const el of document.body.querySelectorAll('*')) {
      const text = (el.textContent || '').replace(/\s+/g, ' ').trim().toLowerCase();
      if (text.includes(want) && (!best || best.contains(el))) best = el;
    }
    if (best) mark(best, 'byline');
  }
  for (const a of document.querySelectorAll('a[href]')) {
    if (t.links.some(h => a.getAttribute('href') === h)) mark(a, 'link');
  }
  return marks;
}
