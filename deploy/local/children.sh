# shellcheck shell=bash
# shellcheck disable=SC2034  # CHILD_RECORDS is read by up.sh
# Sample child-protection records of the local federation; sourced by up.sh, which then calls
# sample_children with every node running. Needs GT and/or HN (each country's children are
# skipped when its node is not in ENLACE_COUNTRIES). Three unaccompanied or separated
# adolescents met by their consulates in southern Mexico (fictitious people, real places):
#
#   GT-TAP (Tapachula): Ixchel, 14, K'iche', alone at the Siglo XXI migration station; in the
#      DIF Chiapas shelter; assessed (high risk), a best-interests determination for return to
#      her grandmother requested by one supervisor and approved by another, services; tracing
#      of her mother (match proposed) and grandmother;
#   GT-TEN (Tenosique): Byron, 16, separated from his uncle in a raid near the border; at La 72
#      shelter; assessed (medium risk), case plan; tracing of the uncle;
#   HN-TAP (Tapachula): Dayana, 15, unaccompanied and pregnant, age assessed by the DIF; new;
#   GT-TEN (Tenosique): Kevin, 13, a Honduran boy alone at La 72 (Honduras has no consulate in
#      Tenosique, so Guatemala's acts for him); a determination for return to his mother in San
#      Pedro Sula approved, services, and (with HN running) the return plan GT -> HN: received
#      by DINAF, which HN publishes in the shared directory first (GT holds it a few seconds
#      later). The handover is left proposed at HN: `handover list --incoming` there, then
#      `handover accept ... post=HN-TAP` and `handover received`.
#
# GT's consulate psychologist in Tapachula gets the child-protection grant (an officer's
# identity; the local PKI has no certificate for her, so it only shows in the audit log).
# Each child's person, case and record carry request ids, so a rerun creates nothing twice;
# the steps after the record look at its state, assessments and tracing entries first, so a
# rerun (or a run after a failure half-way) only does what is missing. Dates derive from
# run/sample.as_of, so a rerun on a later day sends identical requests. Output: one line; the
# calls' own output goes to run/children/children.log (its tail is shown on failure).

# enlacectl against country $1's node as identity $2 (admin or sampleload, both supervisors),
# JSON output: cp_ctl CC IDENTITY ARGS...
cp_ctl() {
  local cc="$1" who="$2"
  shift 2
  "$RUN/bin/enlacectl" --server="localhost:${API[$cc]}" --tls_dir="$RUN/pki/$cc" --country="$cc" \
    --identity="$who" --json "$@"
}

# Runs cp_ctl; its answer (one JSON line) in CP_OUT, everything also in the log; on failure
# shows the log's tail and dies. cp_step WHAT CC IDENTITY ARGS...
cp_step() {
  local what="$1"
  shift
  echo "\$ enlacectl --country=$1 --identity=$2 ${*:3}" >>"$CHILDREN_LOG"
  if ! CP_OUT="$(cp_ctl "$@" 2>>"$CHILDREN_LOG")"; then
    tail -n 6 "$CHILDREN_LOG" | sed 's/^/    /' >&2
    die "sample children: $what failed (it is safe to rerun up.sh); log: run/children/children.log"
  fi
  echo "$CP_OUT" >>"$CHILDREN_LOG"
}

# The first "key":"value" string of JSON line $2 whose value starts with $3 (default: any).
json_str() { grep -o "\"$1\":\"${3:-}[^\"]*\"" <<<"$2" | head -n1 | cut -d'"' -f4 || true; }

# The record's workflow state without its prefix ("NEW", "ASSESSED", ...).
record_state() { json_str state "$1" WORKFLOW_STATE_ | sed 's/^WORKFLOW_STATE_//'; }

# One child: the person, the case at the post, the record, then the steps up to `goal`
# (ASSESSED, CASE_PLAN or SERVICES; NEW: the record only). Variables set by the caller:
#   cc post key given family sex birth language place subtype summary doc
#   accompaniment age_basis concerns care representative heard_language assent
#   risk recommendation determination (situation:decision:reasoning, or empty) goal
#   tracing (relation|name|last_place|status, one a line; status open or match_proposed)
#   nationality (default cc); plan (to|authority|reception point|escort|time: the return plan
#   once the record is in services, or empty)
sample_child() {
  local person kase record state
  local -a docarg=()
  [[ -z "$doc" ]] || docarg=("doc=$doc")
  cp_step "$cc's person create ($key)" "$cc" sampleload person create given_names="$given" \
    family_names="$family" sex="$sex" birth_date="$birth" nationality="${nationality:-$cc}" language="$language" \
    protection=none vulnerability="${accompaniment}_child" "${docarg[@]}" \
    request_id="sample-child-person-$key"
  person="$(json_str name "$CP_OUT" "countries/$cc/persons/")"
  [[ -n "$person" ]] || die "sample children: no person name in $cc's answer: $CP_OUT"
  cp_step "$cc's case create ($key)" "$cc" sampleload case create person="$person" post="$post" \
    host_country=MX place="$place" category=migration subtype="$subtype" \
    legal_basis=child_best_interest risk=high urgent=true summary="$summary" \
    request_id="sample-child-case-$key"
  kase="$(json_str name "$CP_OUT" "countries/$cc/cases/")"
  [[ -n "$kase" ]] || die "sample children: no case name in $cc's answer: $CP_OUT"
  local -a carearg=()
  [[ -z "$care" ]] || carearg=("care=$care")
  cp_step "$cc's child create ($key)" "$cc" sampleload child create "$kase" \
    accompaniment="$accompaniment" age_basis="$age_basis" concerns="$concerns" "${carearg[@]}" \
    representative="$representative" heard="$(days_ago 1)T15:30:00Z" heard_language="$heard_language" \
    tracing_consent=yes assent="$assent" request_id="sample-child-record-$key"
  record="$(json_str name "$CP_OUT" "countries/$cc/childRecords/")"
  [[ -n "$record" ]] || die "sample children: no record name in $cc's answer: $CP_OUT"
  state="$(record_state "$CP_OUT")"

  # The workflow, from wherever an earlier run stopped.
  if [[ "$goal" != NEW && "$state" == NEW ]]; then
    cp_step "$cc's child advance ($key)" "$cc" sampleload child advance "$record" assessed
    state="$(record_state "$CP_OUT")"
  fi
  if [[ "$goal" != NEW && "$CP_OUT" != *'"assessments"'* ]]; then
    cp_step "$cc's child assess ($key)" "$cc" sampleload child assess "$record" risk="$risk" \
      recommendation="$recommendation" at="$(days_ago 1)T17:00:00Z"
  fi
  if [[ "$goal" == CASE_PLAN || "$goal" == SERVICES ]] && [[ "$state" == ASSESSED ]]; then
    cp_step "$cc's child advance ($key)" "$cc" sampleload child advance "$record" case_plan
    state="$(record_state "$CP_OUT")"
  fi
  if [[ -n "$determination" && "$state" == CASE_PLAN ]]; then
    local situation="${determination%%:*}" rest="${determination#*:}"
    # Four eyes: the sample loader's supervisor asks, the admin supervisor decides.
    cp_step "$cc's child determination ($key)" "$cc" sampleload child determination "$record" \
      situation="$situation" decision="${rest%%:*}" reasoning="${rest#*:}"
    state="$(record_state "$CP_OUT")"
  fi
  if [[ "$state" == DETERMINATION_PENDING ]]; then
    cp_step "$cc's child decide ($key)" "$cc" admin child decide "$record" approve \
      note="Aprobado por la titular de protección consular"
    state="$(record_state "$CP_OUT")"
  fi
  if [[ "$goal" == SERVICES && "$state" == DETERMINATION_APPROVED ]]; then
    cp_step "$cc's child advance ($key)" "$cc" sampleload child advance "$record" services
    state="$(record_state "$CP_OUT")"
  fi
  # Tracing entries, numbered 1, 2, ... in the order added: added when fewer are there.
  local n=0 relation rname last status have
  while IFS='|' read -r relation rname last status; do
    [[ -n "$relation" ]] || continue
    n=$((n + 1))
    have="$({ grep -o '"tracing":\[[^]]*\]' <<<"$CP_OUT" || true; } | { grep -o '"id":' || true; } | wc -l)"
    if [[ $have -lt $n ]]; then
      cp_step "$cc's child trace ($key)" "$cc" sampleload child trace "$record" \
        relation="$relation" name="$rname" last_place="$last"
    fi
    if [[ "$status" == match_proposed ]] &&
       ! grep -q "\"id\":$n,[^}]*\"status\":\"TRACING_STATUS_MATCH_PROPOSED\"" <<<"$CP_OUT"; then
      cp_step "$cc's child trace-update ($key)" "$cc" sampleload child trace-update "$record" \
        "$n" match_proposed
    fi
  done <<<"$tracing"
  # The return plan (SetReturnPlan), once: a rerun finds the record return_planned or later.
  if [[ -n "$plan" && "$state" == SERVICES ]]; then
    local to authority point escort at
    IFS='|' read -r to authority point escort at <<<"$plan"
    cp_step "$cc's child plan ($key)" "$cc" sampleload child plan "$record" to="$to" \
      authority="$authority" point="$point" escort="$escort" at="$at"
    state="$(record_state "$CP_OUT")"
  fi
  CHILD_RECORDS+=("$record ($(lower "$state"))")
}

# HN's child-protection authority (DINAF) in the shared directory, once GT holds it too: its
# name in DINAF. Empty (and a note) when GT has not received it within a minute.
sample_dinaf() {
  DINAF=""
  cp_step "HN's org create (DINAF)" HN sampleload org create \
    display_name="Dirección de Niñez, Adolescencia y Familia (DINAF)" type=government_agency \
    service=child_protection area=HN language=es phone="+504 2237 0000" \
    request_id=sample-child-protection-dinaf
  local name
  name="$(json_str name "$CP_OUT" "countries/HN/organisations/")"
  [[ -n "$name" ]] || die "sample children: no organisation name in HN's answer: $CP_OUT"
  local i
  for ((i = 0; i < 60; i++)); do
    if cp_ctl GT sampleload org get "$name" >/dev/null 2>&1; then
      DINAF="$name"
      return 0
    fi
    sleep 1
  done
  say "sample children: GT does not hold HN's DINAF ($name) after 60 s; no return plan (rerun up.sh)"
}

sample_children() {
  CHILD_RECORDS=()
  if [[ -z "${API[GT]:-}" && -z "${API[HN]:-}" ]]; then
    say "sample children skipped (they need GT or HN in ENLACE_COUNTRIES)"
    return 0
  fi
  # Owner only: the log holds (fictitious) personal data.
  mkdir -p "$RUN/children"
  chmod 700 "$RUN/children"
  CHILDREN_LOG="$RUN/children/children.log"
  echo "=== $(date -u +%FT%TZ) deploy/local/up.sh ===" >>"$CHILDREN_LOG"
  local as_of year
  as_of="$(cat "$RUN/sample.as_of")"
  year="${as_of:0:4}"
  # The day $1 days before the first sample load (so never in the future).
  days_ago() { date -u -d "$as_of -$1 days" +%F; }

  local cc post key given family sex birth language place subtype summary doc accompaniment
  local age_basis concerns care representative heard_language assent risk recommendation
  local determination goal tracing nationality="" plan=""
  if [[ -n "${API[GT]:-}" ]]; then
    # Given once (each grant is audited): run/children/grant.done.
    if [[ ! -f "$RUN/children/grant.done" ]]; then
      cp_step "GT's child grant" GT admin child grant \
        spiffe://gt.enlace.example/role/officer/post/GT-TAP/user/psicologa \
        reason="Psicóloga del consulado en Tapachula, capacitada en entrevistas a niñas, niños y adolescentes"
      touch "$RUN/children/grant.done"
    fi

    cc=GT post=GT-TAP key=gt-1 given="Ixchel" family="Tzul Cojtí" sex=female
    birth="$((year - 14))-05-11" language=quc,es doc=""
    place="Estación migratoria Siglo XXI, Tapachula, Chiapas" subtype=minor_in_custody
    summary="Adolescente de 14 años no acompañada, detenida por el INM en Huixtla; trasladada al albergue del DIF"
    accompaniment=unaccompanied age_basis=declared concerns=without_documents,psychosocial_distress
    care="shelter:DIF Chiapas:$(days_ago 6):Albergue temporal del DIF en Tapachula"
    representative="Procuraduría de Protección de Niñas, Niños y Adolescentes de Chiapas"
    heard_language=quc assent=given risk=high
    recommendation="Reunificación con la abuela materna en Momostenango, Totonicapán, con seguimiento de la PGN"
    determination="durable_solution:return_and_reunify_in_origin:Panel del DIF Chiapas, el consulado y ACNUR: la niña desea volver con su abuela, que puede cuidarla; la madre trabaja en Estados Unidos"
    goal=SERVICES
    tracing="abuela materna|Juana Cojtí Ixcoy|Momostenango, Totonicapán|match_proposed
madre|Rosa Cojtí Tzul|Houston, Texas|open"
    sample_child

    cc=GT post=GT-TEN key=gt-2 given="Byron Estuardo" family="Xitumul Coc" sex=male
    birth="$((year - 16))-09-23" language=es doc="national_id:3015829461601:GT"
    place="Tenosique, Tabasco" subtype=minor_in_custody
    summary="Adolescente de 16 años separado de su tío en un operativo cerca de El Ceibo"
    accompaniment=separated age_basis=document concerns=deprived_of_liberty,without_documents
    care="shelter:DIF Tabasco:$(days_ago 3):La 72, Hogar-Refugio para Personas Migrantes"
    representative="Procuraduría de Protección de Niñas, Niños y Adolescentes de Tabasco"
    heard_language=es assent=given risk=medium
    recommendation="Localizar al tío, verificar el vínculo y valorar la reunificación en México"
    determination="" goal=CASE_PLAN
    tracing="tío|Edgar Rolando Xitumul Pop|Estación migratoria de Villahermosa|open"
    sample_child

    # A Honduran boy: the return plan GT -> HN needs HN's node (its DINAF) running.
    plan=""
    if [[ -n "${API[HN]:-}" ]]; then
      sample_dinaf
      [[ -z "$DINAF" ]] || plan="HN|$DINAF|Centro de Atención al Migrante Retornado (CAMR), San Pedro Sula|Oficial de protección consular Marta Ixcoy Tzul; trabajadora social del DIF Tabasco|$(date -u -d "$as_of +3 days" +%F)T09:00:00-06:00"
    fi
    cc=GT post=GT-TEN key=gt-3 nationality=HN given="Kevin Josué" family="Zelaya Banegas"
    sex=male birth="$((year - 13))-02-17" language=es doc=""
    place="La 72, Hogar-Refugio para Personas Migrantes, Tenosique, Tabasco"
    subtype=minor_in_custody
    summary="Niño hondureño de 13 años no acompañado; Honduras no tiene consulado en Tenosique y el de Guatemala actúa por él"
    accompaniment=unaccompanied age_basis=declared concerns=without_documents
    care="shelter:DIF Tabasco:$(days_ago 5):La 72, Hogar-Refugio para Personas Migrantes"
    representative="Procuraduría de Protección de Niñas, Niños y Adolescentes de Tabasco"
    heard_language=es assent=given risk=medium
    recommendation="Retorno con su madre en San Pedro Sula, con acompañamiento de la DINAF"
    determination="durable_solution:return_and_reunify_in_origin:Panel del DIF Tabasco, el consulado de Guatemala y ACNUR: el niño desea volver con su madre, localizada por la DINAF"
    goal=SERVICES
    tracing="madre|Glenda Patricia Banegas Ruiz|San Pedro Sula, Cortés|match_proposed"
    sample_child
    nationality="" plan=""
  fi
  if [[ -n "${API[HN]:-}" ]]; then
    cc=HN post=HN-TAP key=hn-1 given="Dayana Gissel" family="Mejía Banegas" sex=female
    birth="$((year - 15))" language=es doc=""
    place="Albergue Jesús el Buen Pastor, Tapachula, Chiapas" subtype=minor_in_custody
    summary="Adolescente embarazada, viajaba sola desde San Pedro Sula; edad valorada por el DIF"
    accompaniment=unaccompanied age_basis=assessed concerns=pregnant_or_child_parent,medical,violence
    care="shelter:DIF Chiapas:$(days_ago 1):Albergue Jesús el Buen Pastor"
    representative="Procuraduría de Protección de Niñas, Niños y Adolescentes de Chiapas"
    heard_language=es assent=given risk="" recommendation="" determination="" goal=NEW tracing=""
    sample_child
  fi
  printf '%s\n' "${CHILD_RECORDS[@]}" >"$RUN/children/records"
  local returned=""
  [[ -z "${DINAF:-}" ]] || returned="; a return plan GT -> HN (DINAF $DINAF; the handover waits at HN: handover list --incoming)"
  say "sample children: ${#CHILD_RECORDS[@]} child-protection records (${CHILD_RECORDS[*]}); grant for GT-TAP's psychologist$returned"
}
