// Progressive enhancement: the citation is a plain readonly textarea without JavaScript.
document.querySelectorAll("button.copy-button").forEach(function (button) {
  var target = document.getElementById(button.dataset.copy);
  if (!target) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    target.select();
    var done = function () { button.classList.add("copied"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(target.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
});
