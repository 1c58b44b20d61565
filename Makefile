# Tâches courantes de la plateforme CTG (GNU make).
#
#   make setup    installe tout ce qu'il faut (paquets Debian, .venv, paquets npm du référentiel et des graphiques)
#   make run      prépare la base, charge les territoires et la démo, lance le serveur sur 127.0.0.1:$(PORT)
#   make serve    la production sur cette machine : migrations, référentiel, fichiers statiques, puis gunicorn
#                 (réglages de production) sur 127.0.0.1:$(PORT), derrière un proxy inverse (README, « Production »)
#   make test     lance pytest (tests navigateur compris) ; options : make test PYTEST_ARGS="-k smoke -x"
#   make quality  ruff, migrations à jour, `ctg check` et `ctg check --deploy`
#   make fix      corrige et reformate le code avec ruff
#   make clean    supprime var/ (l'état local : base SQLite, fichiers déposés ou générés)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PORT ?= 8000
PYTEST_ARGS ?=
# gunicorn : 2 processus par cœur plus un ; une requête plus longue que GUNICORN_TIMEOUT secondes est coupée.
WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); echo $$((2 * n + 1)))
GUNICORN_TIMEOUT ?= 120
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python3)

VENV := .venv
BIN := $(VENV)/bin
CTG := $(BIN)/ctg
VENV_STAMP := $(VENV)/.installed
NPM_DATA := node_modules/@etalab/decoupage-administratif/data/communes.json
NPM_CHART := node_modules/@gouvfr/dsfr-chart/dist/BarChart/BarChart.js

# Paquets Debian : Chromium pour les tests navigateur, Pango et des polices pour WeasyPrint.
DEBIAN_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
# Pour les tests seulement : LibreOffice vérifie que la convention DOCX générée s'ouvre.
TEST_DEBIAN_PACKAGES := libreoffice-writer-nogui

# Clé factice, seulement pour que `check --deploy` juge une configuration de production plausible.
DEPLOY_CHECK_ENV := CTG_ENV=production \
	SECRET_KEY=xIp-KFRlNORV8c9RtPuf5OUle6oWBQfyeEdkJnYzK-FmIn4ohUXGSs-nx3U0 \
	ALLOWED_HOSTS=ctg.example.org

# $(call apt_install,paquets…) : installe avec apt-get ceux des paquets qui manquent (vérifiés avec dpkg -s).
# apt-get update n'est lancé que s'il manque quelque chose.
define apt_install
missing=""; \
for pkg in $(1); do \
	dpkg -s "$$pkg" 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$pkg"; \
done; \
if [ -n "$$missing" ]; then \
	if [ "$$(id -u)" -eq 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
	else \
		echo "Paquets Debian manquants :$$missing." >&2; \
		echo "Il faut être root ou disposer de sudo pour les installer : apt-get install -y$$missing" >&2; \
		exit 1; \
	fi; \
	echo "Installation des paquets Debian manquants :$$missing"; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
fi
endef

.PHONY: help setup system-packages test-packages run serve test quality fix clean

help:
	@echo "Cibles : setup, run (PORT=$(PORT)), serve (PORT, WORKERS), test (PYTEST_ARGS=…), quality, fix, clean"

setup: system-packages $(VENV_STAMP) $(NPM_DATA) $(NPM_CHART)

system-packages:
	@if ! command -v dpkg >/dev/null 2>&1; then \
		echo "dpkg introuvable : installez vous-même $(DEBIAN_PACKAGES) (ou leurs équivalents)." >&2; \
	else \
		pkgs="$(DEBIAN_PACKAGES)"; \
		if [ ! -x "$(BIN)/python" ] && ! "$(PYTHON)" -c 'import ensurepip, venv' >/dev/null 2>&1; then \
			pkgs="$$pkgs python3-venv"; \
		fi; \
		$(call apt_install,$$pkgs); \
	fi

test-packages:
	@if command -v dpkg >/dev/null 2>&1; then \
		$(call apt_install,$(TEST_DEBIAN_PACKAGES)); \
	elif ! command -v soffice >/dev/null 2>&1; then \
		echo "dpkg introuvable : installez vous-même LibreOffice ($(TEST_DEBIAN_PACKAGES))." >&2; \
	fi

$(VENV_STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@if [ ! -x "$(BIN)/python" ]; then \
		echo "Création de $(VENV) avec $(PYTHON)"; \
		"$(PYTHON)" -m venv "$(VENV)"; \
	fi
	"$(BIN)/python" -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	"$(BIN)/python" -m pip install --disable-pip-version-check -q --no-deps -e .
	@touch "$@"

# npm ci ne tourne que si le référentiel ou les graphiques (dsfr-chart) manquent, ou si package-lock.json a
# changé depuis.
$(NPM_DATA) $(NPM_CHART) &: package.json package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
		$(call apt_install,nodejs npm); \
	fi
	@if [ ! -f "$(NPM_DATA)" ] || [ ! -f "$(NPM_CHART)" ] || [ package-lock.json -nt "$(NPM_DATA)" ] \
		|| [ package.json -nt "$(NPM_DATA)" ]; then \
		npm ci --no-audit --no-fund; \
	fi
	@for f in "$(NPM_DATA)" "$(NPM_CHART)"; do \
		test -f "$$f" || { echo "$$f manque après npm ci." >&2; exit 1; }; \
	done
	@touch "$(NPM_DATA)" "$(NPM_CHART)"

# Le serveur de développement et, à côté, le worker des travaux en arrière-plan (ctg db_worker, sans
# rechargement : relancez « make run » après avoir modifié le code d'un travail), arrêté avec le serveur.
run: setup
	"$(CTG)" migrate --noinput
	"$(CTG)" load_territories
	"$(CTG)" load_demo
	"$(CTG)" jobs_recover --minutes 0
	"$(CTG)" db_worker --queue-name '*' --no-reload -v 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	"$(CTG)" runserver "127.0.0.1:$(PORT)"

# Sans SECRET_KEY ni SECRET_KEY_FILE, une clé est tirée au hasard une fois et gardée dans
# $$CTG_DATA_DIR/secret_key (lisible par son propriétaire seul). ALLOWED_HOSTS vaut 127.0.0.1,localhost sauf
# indication contraire.
serve: setup
	export CTG_ENV=production CTG_DATA_DIR="$${CTG_DATA_DIR:-$(CURDIR)/var}"; \
	export ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}"; \
	mkdir -p "$$CTG_DATA_DIR"; \
	if [ -z "$${SECRET_KEY:-}" ] && [ -z "$${SECRET_KEY_FILE:-}" ]; then \
		export SECRET_KEY_FILE="$$CTG_DATA_DIR/secret_key"; \
		if [ ! -s "$$SECRET_KEY_FILE" ]; then \
			(umask 077; "$(BIN)/python" -c 'import secrets; print(secrets.token_urlsafe(64))' > "$$SECRET_KEY_FILE"); \
		fi; \
	fi; \
	"$(CTG)" migrate --noinput; \
	"$(CTG)" load_territories; \
	"$(CTG)" collectstatic --noinput -v 0; \
	exec "$(BIN)/gunicorn" ctg.wsgi:application --bind "127.0.0.1:$(PORT)" --workers "$(WORKERS)" \
		--timeout "$(GUNICORN_TIMEOUT)" --graceful-timeout 30 --max-requests 1000 --max-requests-jitter 100 \
		--error-logfile -

test: setup test-packages
	DJANGO_ALLOW_ASYNC_UNSAFE=true "$(BIN)/pytest" $(PYTEST_ARGS)

quality: setup
	"$(BIN)/ruff" check .
	"$(BIN)/ruff" format --check .
	"$(CTG)" makemigrations --check --dry-run
	"$(CTG)" check
	$(DEPLOY_CHECK_ENV) "$(CTG)" check --deploy --fail-level WARNING

fix: setup
	"$(BIN)/ruff" check --fix .
	"$(BIN)/ruff" format .

clean:
	rm -rf var/
