"""Files behind the bot's one HTTP server: signed download links and the route that serves
them (``OCOP_PUBLIC_URL/files/<token>``), and the guarded download of photos people send.

``signing`` makes and checks link tokens, ``links`` stores a file and gives its link,
``serve`` is the aiohttp route, ``fetch`` downloads an image from a messenger's URL. The
bytes themselves are kept by :mod:`storage.files`. See docs/zalo.md and docs/exports.md.
"""
