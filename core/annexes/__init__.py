"""Evidence annexes: upload (streamed, checked, stored), list, edit, remove, download; pages and API."""
