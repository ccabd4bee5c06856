/** The report's one stylesheet (inline): light and dark (prefers-color-scheme) and print. */
export const STYLE = `
:root{--bg:#fff;--fg:#1d232a;--muted:#5b6673;--line:#d5dbe1;--card:#f5f7f9;--valid:#2e8b57;--invalid:#c0392b;--undecided:#d68910;--unelected:#95a5a6;--vote:#2471a3;--gap:#e03131;--fork:#8e44ad;--warn:#fff3cd}
@media (prefers-color-scheme:dark){:root{--bg:#14181d;--fg:#e6e9ec;--muted:#9aa5b1;--line:#323a43;--card:#1d232a;--valid:#52c58a;--invalid:#ff6b5b;--undecided:#f5b041;--unelected:#7f8c8d;--vote:#5dade2;--gap:#ff5c5c;--fork:#c39bd3;--warn:#4d3f12}}
*{box-sizing:border-box}body{margin:0 auto;max-width:1100px;padding:1.5rem;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
h1{font-size:1.5rem;margin:0 0 .2rem}h2{font-size:1.15rem;margin:1.8rem 0 .6rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
.muted,.axis{color:var(--muted);fill:var(--muted)}.axis{font-size:11px}.label{fill:var(--fg);font-size:12px}
code,.id{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em;word-break:break-all}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.6rem;margin:0}
.cards div{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.5rem .7rem}.cards dt{color:var(--muted);font-size:.8rem}.cards dd{margin:0;font-size:1.35rem;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}th{color:var(--muted);font-weight:500}
.warn{background:var(--warn);border-radius:6px;padding:.4rem .7rem;margin:.3rem 0}
.st-valid{fill:var(--valid)}.st-invalid{fill:var(--invalid)}.st-undecided{fill:var(--undecided)}.st-unelected{fill:var(--unelected)}
.vote{fill:var(--vote)}.gap{fill:var(--gap)}.fork{fill:var(--fork)}.complete{stroke:var(--fg);stroke-width:2;stroke-dasharray:3 2}.base{stroke:var(--line)}
.legend span{display:inline-flex;align-items:center;margin-right:1rem;font-size:.85rem}.legend i{width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;display:inline-block}
.b-valid{background:var(--valid)}.b-invalid{background:var(--invalid)}.b-undecided{background:var(--undecided)}.b-unelected{background:var(--unelected)}.b-vote{background:var(--vote)}.b-gap{background:var(--gap)}.b-fork{background:var(--fork)}
.ok{color:var(--valid)}.bad{color:var(--invalid)}details{margin:.4rem 0}summary{cursor:pointer}
@media print{:root{--bg:#fff;--fg:#000;--muted:#444;--card:#fff;--line:#bbb;--warn:#fff}body{max-width:none;padding:0;font-size:11pt}h2{break-after:avoid}svg,table,.cards div{break-inside:avoid}summary{list-style:none}}
`;
