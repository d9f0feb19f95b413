"""The weekly digest: what it says (:mod:`.text`) and how one is put together (:mod:`.build`)."""
