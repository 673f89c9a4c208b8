# Helpers of the .ci steps (sourced, not run).
# A step that installs the packed library works in a temporary folder: it copies a package.json and
# package-lock.json committed under test/, puts the tarball beside them as cdk-secure-serverless.tgz
# (the lockfile names it so) and installs with npm ci, so every version comes from that lockfile.

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# step NAME COMMAND...: runs COMMAND (a function too) with errexit on inside, so that its first failing command
# ends it, then prints NAME and the seconds it took, and returns COMMAND's status.
step() {
  local name=$1 start status errexit=
  shift
  [[ $- == *e* ]] && errexit=1
  start=$(date +%s.%N)
  echo "== $name"
  set +e
  (set -e; "$@")
  status=$?
  [ -n "$errexit" ] && set -e
  echo "== $name: $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s$([ "$status" -eq 0 ] || echo ", failed ($status)")"
  return "$status"
}

# The tarball `npx projen package:js` wrote; fails unless there is exactly one.
packed_tarball() {
  local found
  found=$(find "$repo/dist/js" -maxdepth 1 -name 'cdk-secure-serverless@*.jsii.tgz' 2>/dev/null || true)
  if [ -z "$found" ] || [ "$(printf '%s\n' "$found" | wc -l)" -ne 1 ]; then
    echo "expected one dist/js/cdk-secure-serverless@*.jsii.tgz, found: ${found:-none}; make it with: npx projen compile && npx projen package:js" >&2
    return 1
  fi
  echo "$found"
}

# install_pinned PACKAGE_DIR WORK_DIR: PACKAGE_DIR's package.json and lockfile with the packed
# tarball, installed in WORK_DIR by npm ci.
install_pinned() {
  local package=$1 work=$2 tarball
  tarball=$(packed_tarball)
  node "$repo/.ci/tarball-entry.js" check "$package/package-lock.json"
  cp "$package/package.json" "$package/package-lock.json" "$work/"
  cp "$tarball" "$work/cdk-secure-serverless.tgz"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
}

# relock PACKAGE_DIR: resolves PACKAGE_DIR's package.json anew (with the packed tarball) and
# rewrites its package-lock.json. For a maintainer changing a version there, never for CI.
relock() {
  local package=$1 work tarball
  tarball=$(packed_tarball)
  work=$(mktemp -d "${TMPDIR:-/tmp}/relock.XXXXXX")
  cp "$package/package.json" "$work/"
  cp "$tarball" "$work/cdk-secure-serverless.tgz"
  (cd "$work" && npm install --package-lock-only --no-audit --no-fund --loglevel=error)
  node "$repo/.ci/tarball-entry.js" strip "$work/package-lock.json"
  cp "$work/package-lock.json" "$package/package-lock.json"
  rm -rf "$work"
  echo "rewrote ${package#"$repo"/}/package-lock.json"
}

# one_copy DIR PACKAGE: fails unless the install in DIR has exactly one copy of PACKAGE.
one_copy() {
  local dir=$1 name=$2 paths
  paths=$(cd "$dir" && npm ls "$name" --all --parseable | sort -u)
  if [ "$(printf '%s\n' "$paths" | grep -c .)" -ne 1 ]; then
    echo "expected one copy of $name in $dir, found:" >&2
    (cd "$dir" && npm ls "$name" --all) >&2 || true
    return 1
  fi
  echo "one copy of $name: $name@$(node -p "require('$paths/package.json').version")"
}
