// OrganWatch workbench: the little JavaScript that is ours (htmx does the rest). Pages work without it.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("upload-form");
  if (!form) { return; }
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  form.addEventListener("htmx:xhr:progress", function (event) {
    var d = event.detail;
    if (!d.lengthComputable || !d.total) { return; }
    bar.hidden = false;
    bar.value = Math.round((d.loaded / d.total) * 100);
    status.textContent = bar.value < 100 ? "uploading " + bar.value + "%" : "archiving and reading…";
  });
  form.addEventListener("htmx:afterRequest", function () {
    bar.value = 100;
    status.textContent = "done";
  });
});
