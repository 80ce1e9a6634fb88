"""English messages (the default); keys match :mod:`common.locale_ja`. One section per module."""

MESSAGES: dict[str, str] = {
    # --- plots -------------------------------------------------------------------
    # --- widgets -----------------------------------------------------------------
    # --- exercises ---------------------------------------------------------------
    # --- trainer -----------------------------------------------------------------
    # --- tuning / progress ---------------------------------------------------------
    "progress.already_downloaded": "  {name}: already downloaded (checksum OK)",
    "progress.mnist_ready": "MNIST files are in {path}\nLoad them with load_mnist(source='full').",
    # --- geometry_plots ----------------------------------------------------------
    # --- seeds / lecture replay -------------------------------------------------------
}
