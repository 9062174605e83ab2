# shellcheck shell=bash
# shellcheck disable=SC2034  # CRISIS_NAME is read by up.sh
# The sample crisis (MICIC) of the local federation; sourced by up.sh, which then calls
# sample_crisis with every node running and its sample data loaded. Needs MX, GT and HN.
#
#   HN declares "Huracán Lisa (muestra)" over HN-CR and HN-AT: phase active, lead HN, a hotline,
#      an advisory, a humanitarian visa offered by MX, MX-TGU as focal post for HN-CR;
#   MX and GT import registrations of their nationals there (`enlacectl crisis import` of
#      run/crisis/<cc>-registrations.jsonl, made here; children, older persons, medical needs);
#   GT's post in Tegucigalpa sends one sighting of a Mexican (an MX registration's passport);
#   MX records four welfare notes; HN publishes one evacuation flight with 40 seats for GT.
#
# Idempotent: every write carries a request id (the imports: each line's id, and
# FILE.progress), the crisis is looked up with `crisis list` before it is declared, and
# run/crisis/done (the crisis's name) skips it all while HN still knows that crisis. Dates
# derive from run/sample.as_of, so a rerun on a later day sends identical requests. Output:
# one line; the calls' own output goes to run/crisis/crisis.log (its tail is shown on failure).

CRISIS_TITLE="Huracán Lisa (muestra)"

# enlacectl against country $1's node as the sample loader: ctl CC ARGS...
ctl() {
  local cc="$1"
  shift
  "$RUN/bin/enlacectl" --server="localhost:${API[$cc]}" --tls_dir="$RUN/pki/$cc" --country="$cc" \
    --identity=sampleload "$@"
}

# Runs ctl with its output appended to the log; on failure shows the log's tail and dies.
ctl_logged() {
  local what="$1"
  shift
  echo "\$ enlacectl --country=$*" >>"$CRISIS_LOG"
  if ! ctl "$@" >>"$CRISIS_LOG" 2>&1; then
    tail -n 8 "$CRISIS_LOG" | sed 's/^/    /' >&2
    die "sample crisis: $what failed (it is safe to rerun up.sh); log: run/crisis/crisis.log"
  fi
}

# The registrations of nationals of $1 (MX or GT), one JSON object a line, all from the line
# number: names, documents, ages and needs never change between runs.
crisis_registrations() {
  local cc="$1" as_of="$2" n="$3"
  awk -v cc="$cc" -v n="$n" -v as_of="$as_of" '
    BEGIN {
      if (cc == "MX") {
        split("María José|Juan Carlos|Guadalupe|José Luis|Ana Karen|Miguel Ángel|Verónica|Jorge|Fernanda|Luis Enrique|Rosa Elena|Alejandro|Daniela", given, "|")
        split("Hernández López|García Martínez|Ramírez Cruz|Sánchez Flores|Torres Morales|Vázquez Reyes|Castillo Ortiz|Jiménez Ruiz|Mendoza Aguilar|Domínguez Silva|Rojas Navarro", family, "|")
        post = "MX-TGU"; ng = 13; nf = 11
      } else {
        split("Ana Lucía|Juan Pablo|Ixchel|Carlos Enrique|Rosa María|Pedro|Marta Julia|Byron|Glenda|Edgar Rolando|Sonia|Wilson|Heidy", given, "|")
        split("Tzul Ixcoy|Pérez Chávez|Cojtí Sicán|López Ajú|Morales Tum|Xitumul Coc|Barrios Yax|Ordóñez Cux|Ramírez Choc|Sam Tzoc|Pop Caal", family, "|")
        post = "GT-TGU"; ng = 13; nf = 11
      }
      year = substr(as_of, 1, 4) + 0
      for (i = 1; i <= n; i++) {
        g = given[(i - 1) % ng + 1]; f = family[(i * 7 - 1) % nf + 1]
        child = (i % 6 == 0); older = (!child && i % 5 == 1); medical = (i % 7 == 3)
        if (child) by = year - 4 - (i % 11)
        else if (older) by = year - 62 - (i % 19)
        else by = year - 19 - (i * 3 % 38)
        birth = sprintf("%04d-%02d-%02d", by, (i * 5) % 12 + 1, (i * 11) % 28 + 1)
        sex = (i % 2 == 0) ? "SEX_MALE" : "SEX_FEMALE"
        area = (i % 3 == 2) ? "HN-AT" : "HN-CR"
        if (cc == "MX") doc = sprintf("{\"type\":\"DOCUMENT_TYPE_PASSPORT\",\"number\":\"G%08d\",\"issuingCountry\":\"MX\"}", 31400000 + i * 137)
        else doc = sprintf("{\"type\":\"DOCUMENT_TYPE_NATIONAL_ID\",\"number\":\"%.0f\",\"issuingCountry\":\"GT\"}", 2534800000000 + i * 1013)
        # Residents since some years; every fourth a traveller, arrived lately, returning soon.
        if (i % 4 == 2) dates = sprintf("\"arrivalDate\":\"%s\",\"returnDate\":\"%s\"", shift(as_of, -(i % 9) - 3), shift(as_of, 10 + i % 12))
        else dates = sprintf("\"arrivalDate\":\"%s\"", shift(as_of, -400 - i * 37))
        printf "{\"id\":\"sample-%s-%03d\",\"givenNames\":\"%s\",\"familyNames\":\"%s\",\"birthDate\":\"%s\",\"sex\":\"%s\",\"documents\":[%s],\"hostCountry\":\"HN\",\"area\":\"%s\",%s,\"post\":\"%s\",\"phone\":\"+504 9%03d %04d\",\"child\":%s,\"olderPerson\":%s,\"medicalNeeds\":%s}\n", \
          tolower(cc), i, g, f, birth, sex, doc, area, dates, post, (i * 37) % 1000, (i * 7919) % 10000, \
          child ? "true" : "false", older ? "true" : "false", medical ? "true" : "false"
      }
    }
    function shift(day, days,   cmd, out) {
      cmd = "date -u -d \"" day " " days " days\" +%F"
      cmd | getline out
      close(cmd)
      return out
    }'
}

# The subject (registration name) of MX's sample registration $2 in crisis $1, from MX's
# worklist (every status), by its display name; empty when not found.
crisis_subject() {
  local crisis="$1" display="$2"
  ctl MX --json crisis worklist "$crisis" \
    status=unaccounted,inquiry_open,contacted_safe,believed_safe,needs_assistance,departed_or_evacuated \
    limit=1000 2>>"$CRISIS_LOG" |
    grep -o "\"subject\":\"[^\"]*\",\"displayName\":\"$display\"" | head -n1 | cut -d'"' -f4
}

sample_crisis() {
  local cc
  for cc in MX GT HN; do
    if [[ -z "${API[$cc]:-}" ]]; then
      say "sample crisis skipped (it needs MX, GT and HN in ENLACE_COUNTRIES)"
      return 0
    fi
  done
  # Owner only: the files and the log hold (fictitious) personal data.
  mkdir -p "$RUN/crisis"
  chmod 700 "$RUN/crisis"
  CRISIS_LOG="$RUN/crisis/crisis.log"
  echo "=== $(date -u +%FT%TZ) deploy/local/up.sh ===" >>"$CRISIS_LOG"
  local as_of crisis=""
  as_of="$(cat "$RUN/sample.as_of")"

  # Looked up first: a crisis with the sample's title, as HN lists it.
  local listed
  listed="$(ctl HN --json crisis list 2>>"$CRISIS_LOG")" ||
    die "sample crisis: HN's crisis list failed; log: run/crisis/crisis.log"
  crisis="$(grep -o "\"name\":\"countries/HN/crises/[^\"]*\",\"type\":\"[A-Z_]*\",\"title\":\"$CRISIS_TITLE\"" <<<"$listed" |
    head -n1 | cut -d'"' -f4 || true)"
  if [[ -n "$crisis" && "$(cat "$RUN/crisis/done" 2>/dev/null || true)" == "$crisis" ]]; then
    say "sample crisis already set up ($crisis)"
    CRISIS_NAME="$crisis"
    return 0
  fi
  if [[ -z "$crisis" ]]; then
    local out
    out="$(ctl HN --json crisis declare type=hurricane title="$CRISIS_TITLE" host=HN \
      areas=HN-CR,HN-AT phase=active lead=HN focal=HN-CR:MX:MX-TGU,HN-AT:GT:GT-TGU \
      hotline="+504 2236 0000 (COPECO)" \
      advisory="Alerta roja en Cortés y Atlántida: no viajar; refugiarse en los albergues de COPECO" \
      measure=MX:"visa humanitaria por 180 días para los desplazados" \
      request_id="sample-crisis-$as_of" 2>>"$CRISIS_LOG")" ||
      die "sample crisis: HN's crisis declare failed; log: run/crisis/crisis.log"
    crisis="$(grep -o '"name":"[^"]*"' <<<"$out" | head -n1 | cut -d'"' -f4)"
    [[ -n "$crisis" ]] || die "sample crisis: no name in HN's answer: $out"
  fi
  echo "crisis $crisis" >>"$CRISIS_LOG"

  # Replicated to every member: MX and GT account for their nationals once they hold it.
  local deadline=$((SECONDS + 30))
  for cc in MX GT; do
    until ctl "$cc" crisis show "$crisis" >/dev/null 2>&1; do
      [[ $SECONDS -lt $deadline ]] ||
        die "sample crisis: $crisis did not reach $cc within 30 s (see enlacectl federation status)"
      sleep 0.2
    done
  done

  # Registrations: a ministry's registry exported as JSONL (documents and sex need JSON; the
  # CSV columns have none), imported in batches; the ids make a rerun create nothing.
  local file
  for cc in MX GT; do
    file="$RUN/crisis/$(lower "$cc")-registrations.jsonl"
    (umask 077; crisis_registrations "$cc" "$as_of" "$([[ $cc == MX ]] && echo 36 || echo 30)" >"$file.tmp")
    if cmp -s "$file.tmp" "$file"; then rm -f "$file.tmp"; else mv -f "$file.tmp" "$file"; fi
    ctl_logged "$cc's crisis import" "$cc" crisis import "$file" batch=500
  done

  # GT's post in Tegucigalpa meets MX's registration 4 at a shelter in San Pedro Sula: the
  # sighting goes to MX's node, which matches it by the passport to that registration.
  local seen
  seen="$(sed -n 4p "$RUN/crisis/mx-registrations.jsonl")"
  local s_given s_family s_birth s_doc
  s_given="$(grep -o '"givenNames":"[^"]*"' <<<"$seen" | cut -d'"' -f4)"
  s_family="$(grep -o '"familyNames":"[^"]*"' <<<"$seen" | cut -d'"' -f4)"
  s_birth="$(grep -o '"birthDate":"[^"]*"' <<<"$seen" | cut -d'"' -f4)"
  s_doc="$(grep -o '"number":"[^"]*"' <<<"$seen" | cut -d'"' -f4)"
  ctl_logged "GT's crisis sighting" GT crisis sighting crisis="$crisis" nationality=MX \
    given_names="$s_given" family_names="$s_family" birth_year="${s_birth:0:4}" \
    doc="passport:$s_doc:MX" area=HN-CR status=contacted_safe contact=yes post=GT-TGU \
    needs="agua potable, teléfono para llamar a su familia" protection=none \
    request_id="sample-sighting-1"

  # MX's welfare notes on four of its registrations (found by name on its worklist).
  local notes=0 line subject name status source details
  while IFS='|' read -r line status source details; do
    seen="$(sed -n "${line}p" "$RUN/crisis/mx-registrations.jsonl")"
    name="$(grep -o '"givenNames":"[^"]*"' <<<"$seen" | cut -d'"' -f4) $(grep -o '"familyNames":"[^"]*"' <<<"$seen" | cut -d'"' -f4)"
    subject="$(crisis_subject "$crisis" "$name")"
    [[ -n "$subject" ]] || die "sample crisis: MX's registration \"$name\" is not on the worklist of $crisis; log: run/crisis/crisis.log"
    ctl_logged "MX's crisis note" MX crisis note "$crisis" "$subject" "$status" source="$source" \
      area="$(grep -o '"area":"[^"]*"' <<<"$seen" | cut -d'"' -f4)" details="$details" \
      contact="$([[ $status == contacted_safe || $status == needs_assistance ]] && echo yes || echo no)" \
      request_id="sample-note-$line"
    notes=$((notes + 1))
  done <<'EOF'
1|contacted_safe|family_inquiry|Llamó su hermana desde Puebla: está bien, en casa de vecinos en San Pedro Sula
2|believed_safe|shelter_list|En la lista del albergue Instituto José Trinidad Reyes (COPECO)
7|needs_assistance|host_authority|COPECO: sin documentos ni dinero tras la inundación, pide apoyo para volver
9|departed_or_evacuated|registry|Salió por la frontera de Agua Caliente hacia Guatemala
EOF

  # HN's evacuation flight, with seats offered to GT (replicated to every member).
  local depart
  depart="$(date -u -d "$as_of 2 days" +%F)T14:00:00Z"
  ctl_logged "HN's crisis movement" HN crisis movement crisis="$crisis" mode=air \
    from="Aeropuerto Internacional Ramón Villeda Morales, San Pedro Sula" \
    to="Aeropuerto Internacional La Aurora, Ciudad de Guatemala" depart="$depart" seats=150 \
    offer=GT:40 passengers=HN:60 request_id="sample-movement-1"

  echo "$crisis" >"$RUN/crisis/done"
  CRISIS_NAME="$crisis"
  say "sample crisis $crisis (hurricane, HN-CR and HN-AT, active, lead HN): registrations MX 36 and GT 30, 1 sighting GT->MX, $notes notes by MX, 1 flight with 40 seats for GT"
}
