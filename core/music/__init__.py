"""Music types and conversions: the piano roll, MIDI, rendering to audio, playback state."""
