# The README's two commands: `make run` and `make test`. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Debian packages: PortAudio (sound), FluidSynth (rendering), Xvfb and the xcb libraries
# (Qt on a virtual screen), PulseAudio (the audio tests' null sink).
DEBIAN_PACKAGES := libportaudio2 fluidsynth xvfb pulseaudio pulseaudio-utils \
	libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0 \
	libxcb-xinerama0 libxcb-xkb1 libxcb-randr0 libxcb-shape0 libxkbcommon-x11-0 \
	libegl1 libgl1 libfontconfig1 libdbus-1-3

.PHONY: run test setup system-packages bundle lint format clean

run: setup
	$(VENV)/bin/layerwise

test: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -p no:cacheprovider

setup: system-packages $(STAMP)

system-packages:
	@missing=""; \
	for p in $(DEBIAN_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing system packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	elif command -v dpkg-query >/dev/null; then \
		echo "Missing system packages (install them as root):$$missing" >&2; \
	else \
		echo "Not a Debian system: install PortAudio, FluidSynth, Xvfb, PulseAudio and Qt's xcb libraries yourself." >&2; \
	fi

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

bundle: setup
	$(PY) -m pip install -q -e ".[bundle]"
	$(VENV)/bin/pyinstaller packaging/layerwise.spec --noconfirm --distpath dist --workpath build/pyinstaller

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports && $(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

clean:
	rm -rf build dist test-output .pytest_cache .mypy_cache
