# shellcheck shell=bash
# shellcheck disable=SC2034  # WORKER_CLAIMS is read by up.sh
# Sample temporary workers of the local federation; sourced by up.sh, which then calls
# sample_workers with every node running. Needs MX (skipped when MX is not in ENLACE_COUNTRIES).
# Mexican seasonal farmworkers and their consulates (fictitious people and employers, real
# programmes and places):
#
#   MX-TOR (Toronto), SAWP in Ontario:
#     Martín, Norfolk County (Simcoe): a housing claim with the programme's liaison (bunkhouse
#        deductions for a trailer without heating), documented, filing deadline in 12 days;
#     Rosa Elena, a Leamington greenhouse: unpaid wages (overtime) with Employment Standards
#        Ontario, filed, then partially recovered (CAD:1200.00 of CAD:2850.00);
#   MX-ATL (Atlanta), H-2A in Georgia:
#     José Luis, a Vidalia onion farm: unpaid wages with the US DOL Wage and Hour Division,
#        filed and recovered in full (USD:3400.00), verified by a supervisor (admin), so the
#        employer's and recruiter's counts show it;
#     Efraín, the same farm, recruited by a private agency that charged him MXN:18000.00: a
#        recruitment-fees claim (intake, deadline in 5 days) and a housing claim whose deadline
#        passed 2 days ago (intake: `claim deadlines` shows it first, negative days);
#   MX-ATL's two Labor Rights Week events (Vidalia, Georgia; Lyons, Georgia) with the DOL,
#   OSHA and Georgia Legal Services: `outreach list post=MX-ATL from=.. to=..` and its totals.
#
# Every person, case, contract, claim and event has a request id, so a rerun creates nothing
# twice; a claim's steps look at its status first (the create with the same request id returns
# the stored claim), so a rerun, or a run after a failure half-way, only does what is missing.
# Dates derive from run/sample.as_of, so a rerun on a later day sends identical requests. Output:
# one line; the calls' own output goes to run/workers/workers.log (its tail is shown on failure).

# Runs enlacectl against MX's node as identity $2 (admin or sampleload, both supervisors), JSON
# output; the answer (one JSON line) in WK_OUT, everything also in the log; on failure shows the
# log's tail and dies. wk_step WHAT IDENTITY ARGS...
wk_step() {
  local what="$1" who="$2"
  shift 2
  echo "\$ enlacectl --country=MX --identity=$who $*" >>"$WORKERS_LOG"
  if ! WK_OUT="$("$RUN/bin/enlacectl" --server="localhost:${API[MX]}" --tls_dir="$RUN/pki/MX" \
      --country=MX --identity="$who" --json "$@" 2>>"$WORKERS_LOG")"; then
    tail -n 6 "$WORKERS_LOG" | sed 's/^/    /' >&2
    die "sample workers: $what failed (it is safe to rerun up.sh); log: run/workers/workers.log"
  fi
  echo "$WK_OUT" >>"$WORKERS_LOG"
}

# The first "key":"value" string of JSON line $2 whose value starts with $3 (default: any).
wk_str() { grep -o "\"$1\":\"${3:-}[^\"]*\"" <<<"$2" | head -n1 | cut -d'"' -f4 || true; }

# A worker: the person, the labour case at the post and the contract. Variables set by the
# caller: key post host place given family sex birth subtype summary programme permit employer
# employer_id area recruiter licence fees start end hours wage unit housing deductions
# (TYPE:CUR:AMT, space-separated). Sets WK_PERSON, WK_CASE, WK_EMPLOYMENT.
sample_worker() {
  local -a recruiterargs=() deductionargs=()
  local d
  [[ -z "$recruiter" ]] || recruiterargs=("recruiter=$recruiter" "licence=$licence" "fees=$fees")
  for d in $deductions; do deductionargs+=("deduction=$d"); done
  wk_step "person create ($key)" sampleload person create given_names="$given" \
    family_names="$family" sex="$sex" birth_date="$birth" nationality=MX language=es \
    protection=none request_id="sample-worker-person-$key"
  WK_PERSON="$(wk_str name "$WK_OUT" "countries/MX/persons/")"
  [[ -n "$WK_PERSON" ]] || die "sample workers: no person name in MX's answer: $WK_OUT"
  wk_step "case create ($key)" sampleload case create person="$WK_PERSON" post="$post" \
    host_country="$host" place="$place" category=labour subtype="$subtype" legal_basis=consent \
    consent=person:services,host_authorities consent_obtain_time="$(days_ago 20)T16:00:00Z" \
    summary="$summary" request_id="sample-worker-case-$key"
  WK_CASE="$(wk_str name "$WK_OUT" "countries/MX/cases/")"
  [[ -n "$WK_CASE" ]] || die "sample workers: no case name in MX's answer: $WK_OUT"
  wk_step "employment create ($key)" sampleload employment create "$WK_PERSON" post="$post" \
    programme="$programme" permit="$permit" employer="$employer" employer_id="$employer_id" \
    area="$area" "${recruiterargs[@]}" start="$start" end="$end" hours="$hours" wage="$wage" \
    unit="$unit" housing="$housing" "${deductionargs[@]}" request_id="sample-worker-employment-$key"
  WK_EMPLOYMENT="$(wk_str name "$WK_OUT" "countries/MX/employments/")"
  [[ -n "$WK_EMPLOYMENT" ]] || die "sample workers: no employment name in MX's answer: $WK_OUT"
}

# A claim on WK_CASE about WK_EMPLOYMENT, then its steps: sample_claim KEY TYPE FORUM CLAIMED
# DEADLINE DOCKET STEPS VERIFY, STEPS space-separated (status or status:CUR:AMT for recovered
# and partial), VERIFY yes or no.
sample_claim() {
  local key="$1" type="$2" forum="$3" claimed="$4" deadline="$5" docket="$6" steps="$7"
  local verify="$8" name status step to order
  local -a docketarg=()
  [[ -z "$docket" ]] || docketarg=("docket=$docket")
  wk_step "claim create ($key)" sampleload claim create "$WK_CASE" type="$type" forum="$forum" \
    claimed="$claimed" deadline="$deadline" employment="$WK_EMPLOYMENT" "${docketarg[@]}" \
    request_id="sample-worker-claim-$key"
  name="$(wk_str name "$WK_OUT" "countries/MX/labourClaims/")"
  [[ -n "$name" ]] || die "sample workers: no claim name in MX's answer: $WK_OUT"
  # The steps' order; a claim already at or past a step (moved on by a previous run, or by hand)
  # is left where it is.
  order=" INTAKE DOCUMENTED FILED PARTIAL RECOVERED "
  local upper_to later
  for step in $steps; do
    to="${step%%:*}"
    status="$(wk_str status "$WK_OUT" CLAIM_STATUS_ | sed 's/^CLAIM_STATUS_//')"
    [[ "$order" == *" $status "* ]] || break  # withdrawn, in mediation ...: by hand
    upper_to="$(tr '[:lower:]' '[:upper:]' <<<"$to")"
    later="${order#* "$status" }"
    [[ " $later " == *" $upper_to "* ]] || continue
    if [[ "$step" == *:* ]]; then
      wk_step "claim advance ($key, $to)" sampleload claim advance "$name" "$to" \
        recovered="${step#*:}"
    else
      wk_step "claim advance ($key, $to)" sampleload claim advance "$name" "$to"
    fi
  done
  if [[ "$verify" == yes && "$WK_OUT" != *'"verified":true'* ]]; then
    wk_step "claim verify ($key)" admin claim verify "$name"
  fi
  status="$(wk_str status "$WK_OUT" CLAIM_STATUS_ | sed 's/^CLAIM_STATUS_//')"
  local verified=""
  [[ "$WK_OUT" != *'"verified":true'* ]] || verified=", verified"
  WORKER_CLAIMS+=("$name ($(lower "$status")$verified)")
}

sample_workers() {
  WORKER_CLAIMS=()
  WORKERS_OUTREACH=""
  if [[ -z "${API[MX]:-}" ]]; then
    say "sample workers skipped (they need MX in ENLACE_COUNTRIES)"
    return 0
  fi
  mkdir -p "$RUN/workers"
  chmod 700 "$RUN/workers"
  WORKERS_LOG="$RUN/workers/workers.log"
  echo "=== $(date -u +%FT%TZ) deploy/local/up.sh ===" >>"$WORKERS_LOG"
  local as_of year lrw
  as_of="$(cat "$RUN/sample.as_of")"
  year="${as_of:0:4}"
  days_ago() { date -u -d "$as_of -$1 days" +%F; }
  days_ahead() { date -u -d "$as_of +$1 days" +%F; }
  # Labor Rights Week (the last week of August): this year's once held, else last year's; an
  # event is reported once it took place.
  if [[ "$as_of" > "$year-08-31" ]]; then lrw="$year"; else lrw="$((year - 1))"; fi

  local key post host place given family sex birth subtype summary programme permit employer
  local employer_id area recruiter licence fees start end hours wage unit housing deductions

  # --- MX-TOR: SAWP workers in Ontario (recruited by the STPS's Servicio Nacional de Empleo,
  # without fees; the employer's registry id is its LMIA number).
  key=tor-1 post=MX-TOR host=CA place="Simcoe, Norfolk County, Ontario"
  given="Martín" family="Hernández Cruz" sex=male birth=1984-02-17 subtype=labour_exploitation
  summary="Trabajador SAWP: vivienda sin calefacción y descuentos de alojamiento por encima de lo pactado"
  programme=sawp permit="SAWP-$year-OAX-04417" employer="Norfolk Fruit Growers Co-operative"
  employer_id="LMIA-8812044" area=CA-ON recruiter="Servicio Nacional de Empleo (STPS)"
  licence=SNE-SAWP fees=MXN:0 start="$year-04-06" end="$year-11-27" hours=48 wage=CAD:17.20
  unit=hour housing=yes deductions="housing:CAD:45.00 insurance:CAD:12.50"
  sample_worker
  sample_claim tor-1 housing programme_liaison CAD:900.00 "$(days_ahead 12)" "" \
    "documented" no

  key=tor-2 post=MX-TOR host=CA place="Leamington, Essex County, Ontario"
  given="Rosa Elena" family="Vázquez Ortiz" sex=female birth=1990-07-03 subtype=unpaid_wages
  summary="Trabajadora SAWP en invernadero: horas extra no pagadas durante la temporada de tomate"
  programme=sawp permit="SAWP-$year-MIC-01962" employer="Lakeshore Greenhouse Produce Inc."
  employer_id="LMIA-9034471" area=CA-ON recruiter="Servicio Nacional de Empleo (STPS)"
  licence=SNE-SAWP fees=MXN:0 start="$year-03-02" end="$year-10-30" hours=45 wage=CAD:17.20
  unit=hour housing=yes deductions="housing:CAD:30.00"
  sample_worker
  sample_claim tor-2 unpaid_wages labour_agency CAD:2850.00 "$(days_ago 20)" \
    "ESO-$year-0457781" "documented filed partial:CAD:1200.00" no

  # --- MX-ATL: H-2A workers in Georgia (the employer's registry id is its DOL labour
  # certification; a private recruiter charged fees the programme forbids).
  key=atl-1 post=MX-ATL host=US place="Vidalia, Toombs County, Georgia"
  given="José Luis" family="Pérez Martínez" sex=male birth=1988-11-21 subtype=unpaid_wages
  summary="Trabajador H-2A: salarios de seis semanas por debajo de la tarifa AEWR pactada"
  programme=h2a permit="H2A-$year-MTY-77120" employer="Sweet Vidalia Onion Farms LLC"
  employer_id="H-300-$((year % 100))023-418822" area=US-GA recruiter="" licence="" fees=""
  start="$year-03-15" end="$year-07-31" hours=40 wage=USD:14.68 unit=hour housing=yes
  deductions=""
  sample_worker
  sample_claim atl-1 unpaid_wages labour_agency USD:3400.00 "$(days_ago 40)" \
    "WHD-$year-1887342" "documented filed recovered:USD:3400.00" yes
  local vidalia="$employer_id" vidalia_employment="$WK_EMPLOYMENT"

  key=atl-2 post=MX-ATL host=US place="Vidalia, Toombs County, Georgia"
  given="Efraín" family="Santiago López" sex=male birth=1995-05-09 subtype=labour_exploitation
  summary="Trabajador H-2A: pagó 18 000 pesos a una reclutadora; vivienda hacinada"
  programme=h2a permit="H2A-$year-MTY-77388" employer="Sweet Vidalia Onion Farms LLC"
  employer_id="$vidalia" area=US-GA recruiter="Reclutadora Agrícola del Golfo"
  licence="RAG-2024-117" fees=MXN:18000.00 start="$year-03-15" end="$year-07-31" hours=40
  wage=USD:14.68 unit=hour housing=yes deductions="transport:USD:35.00"
  sample_worker
  sample_claim atl-2-fees recruitment_fees labour_agency MXN:18000.00 "$(days_ahead 5)" "" "" no
  sample_claim atl-2-housing housing labour_agency USD:600.00 "$(days_ago 2)" "" "" no

  # --- MX-ATL's Labor Rights Week: no personal data, counts only.
  wk_step "outreach create (Vidalia)" sampleload outreach create post=MX-ATL \
    date="$lrw-08-25" kind=labor_rights_week area=US-GA \
    partners="US DOL Wage and Hour Division,OSHA,Georgia Legal Services Program" attendees=140 \
    cases=5 request_id="sample-worker-lrw-$lrw-vidalia"
  wk_step "outreach create (Lyons)" sampleload outreach create post=MX-ATL \
    date="$lrw-08-28" kind=labor_rights_week area=US-GA \
    partners="US DOL Wage and Hour Division,Georgia Legal Services Program" attendees=85 cases=2 \
    request_id="sample-worker-lrw-$lrw-lyons"
  WORKERS_OUTREACH="outreach list post=MX-ATL from=$lrw-08-24 to=$lrw-08-30"
  wk_step "outreach list" sampleload outreach list post=MX-ATL from="$lrw-08-24" to="$lrw-08-30"
  local events
  events="$({ grep -o '"eventCount":[0-9]*' <<<"$WK_OUT" || true; } | cut -d: -f2)"

  printf '%s\n' "${WORKER_CLAIMS[@]}" >"$RUN/workers/claims"
  WORKERS_EMPLOYER="$vidalia"
  say "sample workers: 4 SAWP/H-2A workers (MX-TOR, MX-ATL), ${#WORKER_CLAIMS[@]} labour claims (${WORKER_CLAIMS[*]}); employer $vidalia has a verified claim (contract $vidalia_employment); ${events:-?} Labor Rights Week events at MX-ATL"
  say "  run/bin/enlacectl --server localhost:${API[MX]} --tls_dir run/pki/MX --country MX claim deadlines within=30"
  say "  run/bin/enlacectl --server localhost:${API[MX]} --tls_dir run/pki/MX --country MX employer counts $vidalia"
}
