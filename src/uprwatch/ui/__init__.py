"""Low-level UI parts every feature's pages use: the panel registry, chart colours, safe redirects,
security headers, login throttling, and the web's translation of errors into pages.

It sits below every feature in the layers (see docs/architecture.md), so it imports none of them;
the site's own views (home, states, recommendation pages) are ``uprwatch.web``.
"""
