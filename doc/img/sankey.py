#!/usr/bin/python3
"""Draw a step-numbered Sankey diagram as SVG from journey_sankey rows (step, source, target, users; TSV).

Plain python3, no packages: nodes are columns by step, stacked by size; links are bands whose width is
the number of journeys.  Usage: sankey.py links.tsv > sankey.svg
"""
import sys
from collections import defaultdict
from xml.sax.saxutils import escape

W, H, PAD, NODE_W, GAP = 900, 460, 40, 14, 12
COLORS = {'page_view': '#8da0cb', 'product_view': '#66c2a5', 'search': '#e5c494', 'add_to_cart': '#fc8d62',
          'checkout': '#e78ac3', 'purchase': '#a6d854', 'signup': '#ffd92f', '(other)': '#b3b3b3',
          '(drop-off)': '#d9d9d9'}

links = []
for line in open(sys.argv[1]):
    if line.strip():
        step, src, tgt, users = line.rstrip('\n').split('\t')
        links.append((int(step), src, tgt, int(users)))

inflow, outflow, step_of = defaultdict(int), defaultdict(int), {}
for step, s, t, n in links:
    outflow[s] += n
    inflow[t] += n
    step_of[s], step_of[t] = step, step + 1
size = {k: max(inflow[k], outflow[k]) for k in step_of}
steps = sorted(set(step_of.values()))
cols = {k: sorted([n for n in step_of if step_of[n] == k],
                  key=lambda n: (n.endswith('(drop-off)'), n.endswith('(other)'), -size[n], n)) for k in steps}
biggest = max(sum(size[n] for n in cols[k]) for k in steps)
maxn = max(len(cols[k]) for k in steps)
scale = (H - 2 * PAD - GAP * (maxn - 1)) / biggest
x_of = {k: PAD + (W - 2 * PAD - NODE_W - 110) * (i / max(1, len(steps) - 1)) for i, k in enumerate(steps)}
y, pos = {}, {}
for k in steps:
    cy = PAD
    for n in cols[k]:
        y[n] = cy
        cy += size[n] * scale + GAP


def color(node):
    return COLORS.get(node.split(' ', 1)[1], '#999999')


out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">' % (W, H, W, H),
       '<rect width="100%" height="100%" fill="white"/>',
       '<text x="%d" y="22" font-size="15">First 5 steps of 2,000 sample journeys (journey_sankey, top 4 events per step)</text>' % PAD]
src_off, tgt_off = defaultdict(float), defaultdict(float)
for step, s, t, n in sorted(links, key=lambda l: (l[0], cols[l[0]].index(l[1]), cols[l[0] + 1].index(l[2]))):
    w = n * scale
    x0, x1 = x_of[step] + NODE_W, x_of[step + 1]
    y0, y1 = y[s] + src_off[s] + w / 2, y[t] + tgt_off[t] + w / 2
    src_off[s] += w
    tgt_off[t] += w
    xm = (x0 + x1) / 2
    out.append('<path d="M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="none" stroke="%s" stroke-opacity="0.45" stroke-width="%.1f"><title>%s</title></path>'
               % (x0, y0, xm, y0, xm, y1, x1, y1, color(s), max(w, 0.5), escape('%s -> %s: %d' % (s, t, n))))
for n in step_of:
    h = max(size[n] * scale, 1)
    out.append('<rect x="%.1f" y="%.1f" width="%d" height="%.1f" fill="%s"><title>%s</title></rect>'
               % (x_of[step_of[n]], y[n], NODE_W, h, color(n), escape('%s: %d' % (n, size[n]))))
    out.append('<text x="%.1f" y="%.1f" dy="0.35em">%s (%d)</text>' % (x_of[step_of[n]] + NODE_W + 4, y[n] + h / 2, escape(n), size[n]))
out.append('</svg>')
print('\n'.join(out))
