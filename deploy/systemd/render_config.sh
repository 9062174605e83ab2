#!/usr/bin/env bash
# Prints the config of a node run by systemd: deploy/config/<cc>.textproto (the country's posts;
# the demo's dashboard line dropped) followed by node-deploy.textproto for its unit.
#
#   bash deploy/systemd/render_config.sh gt > /etc/enlace/gt/node.textproto
#   bash deploy/systemd/render_config.sh xs > /etc/enlace/xs/node.textproto   # the secretariat
set -euo pipefail
root="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
cc="$(tr 'A-Z' 'a-z' <<<"${1:?usage: render_config.sh CC (mx, gt, hn, xs ...)}")"
src="$root/deploy/config/$cc.textproto"
[[ -f "$src" ]] || { echo "render_config.sh: no $src" >&2; exit 2; }
unit="enlace-node@$cc.service"
grep -q '^secretariat: true' "$src" && unit="enlace-secretariat.service"
echo "# Rendered by deploy/systemd/render_config.sh $cc for $unit."
grep -v '^dashboard {\|^# Paths are relative to the repository\|^# The dashboard, with the API\|^# data_dir, api_address.* passed by the runner as flags' "$src"
echo
grep -v '^#' "$root/deploy/systemd/node-deploy.textproto" | sed "s/@cc@/$cc/g; s/@unit@/$unit/g"
