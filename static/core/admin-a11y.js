/* Repairs of Django's own admin widgets that axe-core reports as serious (every admin page loads this,
   templates/admin/base_site.html). Both widgets exist only with JavaScript, so the repair may too. */
'use strict';
{
    function repair() {
        // SelectFilter2 (filter_horizontal): the search icon is a <span> with aria-label, which ARIA
        // prohibits on an element without a role; as an image its label names the filter box.
        for (const icon of document.querySelectorAll('.search-label-icon[aria-label]:not([role])')) {
            icon.setAttribute('role', 'img');
        }
        // django-import-export's export form: the "select all" label points at an id the box lacks
        // (one per resource), so the box takes the label's words as its name.
        for (const toggle of document.querySelectorAll('input.select-toggle:not([aria-label])')) {
            const label = toggle.parentElement.querySelector('label');
            if (label) toggle.setAttribute('aria-label', label.textContent.trim());
        }
    }
    document.addEventListener('DOMContentLoaded', repair);
    // SelectFilter2 builds its widget on "load", after this script's listeners were added: run after it.
    window.addEventListener('load', () => setTimeout(repair));
}
