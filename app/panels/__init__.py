"""Side panels of the main window: palette, inspector, training dashboard, audition."""
