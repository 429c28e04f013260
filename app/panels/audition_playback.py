"""The audition panel's playback: Play, pause, resume, stop, seek and loop over the panel's
player, the playhead drawn from the player's position, and the piece's audio kept for the
next Play. Mixed into :class:`app.panels.audition.AuditionPanel`.

Play hands the piece to the ``render`` job, which starts a
:class:`core.music.stream.RenderStream` and returns at once: the player sounds with its
first rendered chunk while the rest renders. The finished stream's audio, normalised as a
whole render is, plays the next time; a render nobody hears any more is cancelled, freeing
the synthesiser for the next piece.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import Slot

from app.panels.audition_export import SAMPLE_RATE
from app.panels.audition_jobs import playable
from app.panels.audition_transport import mmss


class PlaybackMixin:
    """Playback of an AuditionPanel (its ``player``, ``transport`` row and ``_poll``)."""

    def toggle_play(self) -> None:
        """Play the current piece (rendering it first on a worker), or pause / resume."""
        player = self.player
        if player is not None and player.state == "playing":
            player.pause()
            self._poll.stop()
            self.play_button.setText("Play")
            return
        if player is not None and player.state == "paused":
            player.resume()
            self._poll.start()
            self.play_button.setText("Pause")
            return
        if self.piece is None:
            self._set_message("Nothing to play yet: generate a piece or pick a snapshot", "info")
            return
        key = self._sound_key()
        if self._audio is not None and self._audio[0] == key:
            self._start_playback(playable(self._audio[1]))
        else:
            self._pending_play = True
            self.play_button.setEnabled(False)
            roll = self.current_roll()
            render = self._job("render")
            self._worker.call(("render", key), render, roll, SAMPLE_RATE, self.soundfont)

    @Slot(object, int)
    def play_sound(self, audio, sample_rate: int) -> None:
        """Play samples made elsewhere (a sound run's clip) through the panel's output."""
        from app.audio import AudioUnavailable

        self.stop()
        try:
            self._ensure_player().play(audio, sample_rate)
        except AudioUnavailable as exc:
            self._set_message(f"No sound: {exc}", "error")
        except Exception as exc:  # a broken device must not take the window down
            self._set_message(f"No sound: the audio output failed ({exc})", "error")

    @Slot(float)
    def seek(self, quarters: float) -> None:
        """Move the playhead to ``quarters`` (a click on the roll); playing goes on there."""
        seconds = max(0.0, float(quarters)) * 60.0 / float(self.tempo_spin.value())
        self._seek_to = seconds
        player = self.player
        if player is not None and player.state in ("playing", "paused"):
            player.seek(seconds)
        self.roll_view.set_playhead(float(quarters))
        self._update_position(seconds)

    def _sound_key(self):
        return (
            id(self.piece),
            self.tempo_spin.value(),
            self.program_combo.currentIndex(),
            self.soundfont,
        )

    def _ensure_player(self):
        if self.player is None:
            from app.audio import AudioPlayer

            self.player = AudioPlayer(self.audio_device)
        return self.player

    def _start_playback(self, audio) -> None:
        from app.audio import AudioUnavailable

        self.play_button.setEnabled(True)
        try:
            player = self._ensure_player()
            player.play(audio, SAMPLE_RATE, loop=self.loop_check.isChecked())
            if self._seek_to > 0:
                player.seek(self._seek_to)
        except AudioUnavailable as exc:
            self._set_message(f"No sound: {exc}. Export still works.", "error")
            self.play_button.setText("Play")
            return
        except Exception as exc:  # a broken device must not take the window down
            msg = f"No sound: the audio output failed ({exc}). Export still works."
            self._set_message(msg, "error")
            self.play_button.setText("Play")
            return
        self._clear_message()
        self.play_button.setText("Pause")
        self._poll.start()

    @Slot()
    def stop(self) -> None:
        if self.player is not None:
            with contextlib.suppress(Exception):
                self.player.stop()
        self._poll.stop()
        self._pending_play = False
        self._seek_to = 0.0
        self.play_button.setText("Play")
        self.play_button.setEnabled(self.piece is not None)
        self.roll_view.set_playhead(0.0)
        self._update_position(0.0)

    @Slot(bool)
    def _on_loop(self, on: bool) -> None:
        if self.player is not None:
            self.player.loop = on

    def _on_sound_changed(self, *_):
        self._drop_audio()  # rendered again on the next Play

    def _drop_audio(self) -> None:
        """Forget the piece's audio. A render still going on stops, freeing the synthesiser
        for the next piece, unless it is playing (a new tempo is heard at the next Play)."""
        stream = self._audio[1] if self._audio is not None else None
        idle = self.player is None or self.player.state == "stopped"
        if idle and hasattr(stream, "cancel"):
            stream.cancel()
        self._audio = None

    @Slot()
    def _on_poll(self) -> None:
        player = self.player
        if player is None:
            self._poll.stop()
            return
        pos = float(player.position)
        stream = getattr(player, "_stream", None)
        if stream is not None and player.state == "playing":
            try:  # a device that vanished leaves an inactive stream behind
                if not stream.active:
                    player._stream_finished()
            except Exception:
                pass
        error = getattr(player, "error", None) or self._render_error()
        if error:
            self._poll.stop()
            self._set_message(f"{error}. Export still works.", "error")
            self.play_button.setText("Play")
            return
        self._update_position(pos)
        if player.state == "stopped":
            self._poll.stop()
            self._seek_to = 0.0
            self.play_button.setText("Play")

    def _render_error(self) -> str | None:
        """Why the piece playing stopped rendering early, if it did."""
        stream = self._audio[1] if self._audio is not None else None
        message = getattr(stream, "error", None)
        if message and self.player is not None:
            with contextlib.suppress(Exception):
                self.player.stop()
        return f"Rendering failed: {message}" if message else None

    def _update_position(self, seconds: float) -> None:
        tempo = float(self.tempo_spin.value())
        self.roll_view.set_playhead(seconds * tempo / 60.0)
        total = 0.0
        if self.piece is not None:
            total = self.piece.steps / self.piece.steps_per_quarter * 60.0 / tempo
        self.position_label.setText(f"{mmss(seconds)} / {mmss(total)}")

    def _rendered(self, tag, value) -> None:
        audio, renderer = value
        self._show_renderer(renderer)
        if tag[1] != self._sound_key() and hasattr(audio, "cancel"):
            audio.cancel()  # the piece or its sound changed while this one started
            self.play_button.setEnabled(True)
            return
        self._drop_audio()
        self._audio = (tag[1], audio)
        if self._pending_play and tag[1] == self._sound_key():
            self._pending_play = False
            self._start_playback(audio)
        else:
            self.play_button.setEnabled(True)
