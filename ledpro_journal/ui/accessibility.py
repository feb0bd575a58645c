"""What WCAG 2.1 AA asks of every page that Streamlit's own markup does not give, put right on each run.

- The page's language (3.1.1): Streamlit's page says lang="en" whatever the user reads; screen readers then
  read Norwegian with English pronunciation.
- The sidebar's navigation: Streamlit puts each section (a header and its links) in a <div> straight inside
  a <ul>, which is not a list a screen reader can announce (1.3.1). The sections become named groups of
  links instead.
- Streamlit's "Skip to main content" link (the first stop of the Tab key) speaks the user's language.
- The file field's button, whose English word our CSS replaces (ui.widgets.file_field), gets our word as its
  accessible name (4.1.2).
- Captions and other faded text: Streamlit draws them at 60 % opacity, under the 4.5:1 contrast that
  normal text needs (1.4.3).
- Focus stays visible on every control (2.4.7).

The script only sets attributes on Streamlit's elements, never moves them: React keeps rendering them.
"""

from __future__ import annotations

import json

import streamlit as st

from ledpro_journal.i18n import language_tag
from ledpro_journal.ui.session import lang, tr

# #595959 on white is 7:1; on Streamlit's light grey sidebar (#f0f2f6) still above 6:1.
_STYLE = """
<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p, .ledpro-meta,
[data-testid="stWidgetLabel"] [data-testid="stTooltipHoverTarget"], [data-testid="stFileUploaderDropzoneInstructions"] {
  color: #595959 !important; opacity: 1 !important;
}
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible,
summary:focus-visible, [role="button"]:focus-visible, [role="tab"]:focus-visible, [tabindex]:focus-visible {
  outline: 3px solid #1d4e89 !important; outline-offset: 2px;
}
</style>
"""

_SCRIPT = """
<script>
(function () {
  window.__ledproA11y = %s;
  if (window.__ledproA11yObserver) { window.__ledproA11yApply(); return; }
  function apply() {
    const c = window.__ledproA11y;
    if (document.documentElement.lang !== c.lang) document.documentElement.lang = c.lang;
    document.querySelectorAll('[data-testid="stSidebarNavItems"]').forEach(function (list) {
      if (list.getAttribute('role') !== 'none') list.setAttribute('role', 'none');
      Array.from(list.children).forEach(function (section) {
        if (section.tagName === 'LI') { section.setAttribute('role', 'none'); return; }
        const header = section.querySelector('[data-testid="stNavSectionHeader"]');
        if (section.getAttribute('role') !== 'group') section.setAttribute('role', 'group');
        if (header && section.getAttribute('aria-label') !== header.textContent.replace('expand_more', '').replace('expand_less', '').trim())
          section.setAttribute('aria-label', header.textContent.replace('expand_more', '').replace('expand_less', '').trim());
        section.querySelectorAll(':scope > li').forEach(function (item) {
          if (item.getAttribute('role') !== 'none') item.setAttribute('role', 'none');
        });
      });
    });
    document.querySelectorAll('[data-testid="stSkipToContent"]').forEach(function (skip) {
      if (skip.textContent !== c.skip) skip.textContent = c.skip;
    });
    document.querySelectorAll('[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"]')
      .forEach(function (button) { if (button.getAttribute('aria-label') !== c.upload) button.setAttribute('aria-label', c.upload); });
  }
  let queued = false;
  window.__ledproA11yApply = apply;
  window.__ledproA11yObserver = new MutationObserver(function () {
    if (queued) return;
    queued = true;
    requestAnimationFrame(function () { queued = false; apply(); });
  });
  window.__ledproA11yObserver.observe(document.body, {childList: true, subtree: true});
  apply();
})();
</script>
"""  # noqa: E501 - the script is sent as written


def put_right() -> None:
    """On every run, before the page draws: the page's language and the fixes above."""
    settings = {"lang": language_tag(lang()), "upload": tr("upload.choose_file"), "skip": tr("a11y.skip_to_content")}
    st.html(_STYLE)
    st.html(_SCRIPT % json.dumps(settings).replace("<", "\\u003c"), unsafe_allow_javascript=True)
