"""Static files for the production server: hashed names and gzip copies, written by ``collectstatic``."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStorage(CompressedManifestStaticFilesStorage):
    # A file added after the last collectstatic keeps its plain name instead of failing the page.
    manifest_strict = False

    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            # A vendored stylesheet names a fallback we do not ship (bootstrap-icons' .woff next to the
            # .woff2 every supported browser loads): keep the reference as it is.
            if content is None and not self.exists(self.clean_name(name).split("?")[0].split("#")[0]):
                return name
            raise
