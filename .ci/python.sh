# Shared by ./fraudsim and .ci/run (source it): find a Python >= 3.12 and keep .venv current.
# A pyenv shim for a Python version that is not selected exists on PATH but fails when run, so
# every candidate is run, not just looked up.

# True if "$1" runs and is Python >= 3.12.
python_ok() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' \
    >/dev/null 2>&1 </dev/null
}

# Print the first Python >= 3.12 among $PYTHON, python3.12, pyenv's versions and python3.
find_python() {
  local candidate root
  if [[ -n "${PYTHON:-}" ]] && python_ok "$PYTHON"; then
    echo "$PYTHON"
    return 0
  fi
  if command -v python3.12 >/dev/null 2>&1 && python_ok python3.12; then
    command -v python3.12
    return 0
  fi
  # pyenv installs versions it does not put on PATH unless selected: look for them directly.
  root=""
  if command -v pyenv >/dev/null 2>&1; then
    root="$(pyenv root 2>/dev/null </dev/null || true)"
  fi
  for candidate in "${root:-${PYENV_ROOT:-${HOME:-}/.pyenv}}"/versions/3.1[2-9]*/bin/python3; do
    if [[ -x "$candidate" ]] && python_ok "$candidate"; then
      echo "$candidate"
      return 0
    fi
  done
  if command -v python3 >/dev/null 2>&1 && python_ok python3; then
    command -v python3
    return 0
  fi
  return 1
}

# True if an install of spec "$1" (".", ".[dashboard]" or ".[dev]") holds all that "$2" needs.
install_covers() {
  [[ "$1" == "$2" || "$2" == "." || ( "$1" == ".[dev]" && "$2" == ".[dashboard]" ) ]]
}

# ensure_venv ROOT SPEC: make ROOT/.venv with a Python >= 3.12 if it has none, and install
# fraudsim into it as SPEC (".", ".[dashboard]" or ".[dev]") when the last install does not
# cover SPEC or pyproject.toml changed since. Messages go to stderr; returns non-zero with a message if no Python fits.
ensure_venv() {
  local root="$1" spec="$2" py stamp want have
  if ! python_ok "$root/.venv/bin/python"; then
    if ! py="$(find_python)"; then
      echo "error: fraudsim needs Python >= 3.12; tried \$PYTHON, python3.12, pyenv's" \
        "versions/3.12+, and python3. Install Python 3.12 or set PYTHON=/path/to/python." >&2
      return 1
    fi
    echo "creating $root/.venv with $py ($("$py" --version 2>&1))" >&2
    "$py" -m venv --clear "$root/.venv"
  fi
  stamp="$root/.venv/.fraudsim-install"
  want="$spec $(cksum <"$root/pyproject.toml")"
  have="$(cat "$stamp" 2>/dev/null || true)"
  # An install with more extras serves one with fewer: the development tools include the
  # dashboard, and either serves a plain install.
  if [[ "${have#* }" != "${want#* }" ]] || ! install_covers "${have%% *}" "$spec"; then
    echo "installing fraudsim$([[ "$spec" == "." ]] || echo " with ${spec#.}") into .venv" >&2
    (cd "$root" && .venv/bin/python -m pip install --quiet --disable-pip-version-check \
      -e "$spec" </dev/null)
    echo "$want" >"$stamp"
  fi
}
