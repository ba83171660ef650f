// Hovering an aligned passage lights up its partner in the other column (same data-p number).
document.addEventListener("mouseover", (ev) => {
  const mark = ev.target.closest ? ev.target.closest("mark[data-p]") : null;
  document.querySelectorAll("mark.partner").forEach((m) => m.classList.remove("partner"));
  if (!mark) return;
  for (const num of mark.dataset.p.split(" ")) {
    document.querySelectorAll("mark[data-p]").forEach((m) => {
      if (m.dataset.p.split(" ").includes(num)) m.classList.add("partner");
    });
  }
});
