"""The words of docs/reliability.md: each scenario's table rows and a reading drawn from its
figures, and the run's findings sorted into what held and what failed. Pure functions of the
results (stress/results/latest.json), so the page can be written again from them."""


def written(scenario: dict) -> tuple[int, int, int]:
    """Acknowledged, lost and duplicated writes of a scenario, every kind together."""
    writes = scenario["writes"]
    return (
        sum(w["acknowledged"] for w in writes),
        sum(w["lost"] for w in writes),
        sum(w["duplicated"] for w in writes),
    )


def summary_row(s: dict) -> str:
    acknowledged, lost, duplicated = written(s)
    return (
        f"| {s['name']} | {s['requests']} | {errors_text(s['errors'], s['errors_by_kind'])} "
        f"| {s['p50_ms']:.0f} | {s['p95_ms']:.0f} | {s['p99_ms']:.0f} | {acknowledged} "
        f"| {lost} | {duplicated} |"
    )


def counts_text(counts: dict) -> str:
    """{"HTTP 500": 44, "ok": 3} as "HTTP 500 (44), ok (3)"."""
    return ", ".join(f"{kind} ({n})" for kind, n in counts.items()) or "nothing"


def errors_text(count: int, kinds: dict) -> str:
    if not count:
        return "0"
    return f"{count} ({', '.join(f'{kind}: {n}' for kind, n in kinds.items())})"


def bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def kind_rows(by_kind: dict) -> str:
    return "\n".join(
        f"| {kind} | {k['requests']} | {errors_text(k['errors'], k['errors_by_kind'])} "
        f"| {k['p50_ms']:.0f} | {k['p95_ms']:.0f} | {k['p99_ms']:.0f} |"
        for kind, k in by_kind.items()
    )


def writes_text(s: dict) -> str:
    """The write check of a scenario in one sentence."""
    acknowledged, lost, duplicated = written(s)
    parts = ", ".join(f"{w['acknowledged']} {w['kind']}s" for w in s["writes"] if w["acknowledged"])
    students = max(w["students"] for w in s["writes"])
    text = (
        f"Of {acknowledged} acknowledged writes ({parts or 'none'}), checked student by student "
        f"({students} students), {lost} were lost and {duplicated} stored twice."
    )
    kept = sum(w["kept_unacknowledged"] for w in s["writes"])
    if kept:
        some = "One more write whose answer" if kept == 1 else f"{kept} more writes whose answers"
        text += (
            f" {some} never reached the student {'was' if kept == 1 else 'were'} in the database "
            "all the same: a failed request is no proof that nothing was recorded, which is what "
            "the form token and the rating's version are for."
        )
    return text


def latency_text(s: dict, threads: int) -> str:
    """What the latencies of the steady load say, and what they do not."""
    spread = (
        f"half the requests were answered within {duration(s['p50_ms'])}, one in twenty took "
        f"more than {duration(s['p95_ms'])}, one in a hundred more than {duration(s['p99_ms'])}"
    )
    if s["students"] <= threads:
        return f"Latency: {duration(s['mean_ms'])} on average; {spread}."
    text = (
        f"The students send without pausing, {s['students']} of them to {threads} server "
        "threads, so latency here is mostly waiting in line, whatever a request costs by itself "
        f"(docs/benchmarks.md measures that): {duration(s['mean_ms'])} on average. "
    )
    if s["p95_ms"] > 4 * s["p50_ms"]:
        return f"{text}The wait falls unevenly: {spread}."
    return f"{text}{spread[0].upper()}{spread[1:]}."


def duration(ms: float) -> str:
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def steady_section(s: dict, cpus: int, threads: int) -> dict:
    share = s["harness_cpu_s"] / s["seconds"] / cpus * 100
    failed = errors_text(s["errors"], s["errors_by_kind"])
    reading = [
        f"{s['students']} students made {s['requests']} requests in {s['seconds']:.0f} s "
        f"({s['requests_per_second']:.0f} a second); {failed} failed. "
        + answered_text(s["question_types"], s["answered_types"]),
        writes_text(s),
        latency_text(s, threads)
        + f" The harness used {s['harness_cpu_s']:.1f} s of CPU meanwhile, about {share:.0f} % "
        f"of the machine's {cpus} cores, taken from the server.",
    ]
    return {"steady_rows": kind_rows(s["by_kind"]), "steady_reading": "\n\n".join(reading)}


def answered_text(types: list[str], answered: dict[str, int]) -> str:
    """Which of the course's question types were answered, each form with its own token."""
    counts = ", ".join(f"{kind} {answered[kind]}" for kind in types if kind in answered)
    missing = [kind for kind in types if kind not in answered]
    text = f"Acknowledged answers by question type, each posted with its form's token: {counts}."
    if missing:
        return f"{text} Never answered: {', '.join(missing)}."
    return f"{text} That is every type the course has."


def database_section(s: dict) -> dict:
    restart, outage = s["restart"], s["outage"]
    rows = "\n".join(
        f"| {name} | {f['unavailable_s']:.1f} | {f['requests']} | "
        f"{errors_text(f['failed'], f['errors_by_kind'])} | {f['failed_reads']} | "
        f"{f['error_window_s']:.1f} | {f['recovery_s']:.1f} "
        f"| {seconds(f['first_success_after_s'])} |"
        for name, f in (("quick restart", restart), ("stopped, then started", outage))
    )
    return {"database_rows": rows, "database_reading": "\n\n".join(database_reading(s))}


def seconds(value: float | None) -> str:
    return "none" if value is None else f"{value:.2f}"


def database_reading(s: dict) -> list[str]:
    restart, outage, down = s["restart"], s["outage"], s["while_down"]
    reading = [
        f"**Quick restart.** PostgreSQL was unavailable for {restart['unavailable_s']:.1f} s. "
        f"{restart['failed']} of the {restart['requests']} requests under way around it failed, "
        f"{restart['failed_reads']} of them reads. {causes_text(restart['causes'])} "
        + (
            "Nothing retries a request: every read that met the restart failed."
            if restart["failed_reads"]
            else "No read failed."
        )
    ]
    statuses = counts_text(down)
    answer = (
        f"**Outage.** {outage['failed']} requests failed in all. {causes_text(outage['causes'])} "
        f"While the database was down, pages answered {statuses}"
    )
    if any(kind == "HTTP 500" for kind in down):
        answer += (
            ": server errors, not 503. A client, a proxy or a monitor cannot tell an outage "
            "from a bug, and nothing says when to come back."
        )
    elif any(kind == "HTTP 503" for kind in down):
        with_header = s["while_down_retry_after"]
        answer += f": 503, {with_header} of them with Retry-After, as they should."
    else:
        answer += "."
    probes = s["probes_while_down"]
    answer += (
        f" The probes: `/healthz` {probe_text(probes['probe /healthz'])}, `/readyz` "
        f"{probe_text(probes['probe /readyz'])}"
        " (liveness never touches the database, so no orchestrator would restart a healthy "
        "process; readiness takes the replica out of rotation)."
    )
    reading.append(answer)
    back = outage["first_success_after_s"]
    reading.append(
        f"**Recovery.** Once PostgreSQL accepted connections again, the first request succeeded "
        f"after {seconds(back)} s and the last failure ended {outage['recovery_s']:.1f} s after it"
        + (
            ": persistent connections are health-checked before reuse, so each thread "
            "reconnected on its next request."
            if outage["recovery_s"] < 1
            else "."
        )
    )
    reading.append(writes_text(s))
    return reading


def causes_text(causes: dict[str, int]) -> str:
    """What the server's log says the failures of a fault met."""
    if not causes:
        return "The server logged no exception for them."
    return f"The server's log names what they met: {counts_text(causes)}."


def probe_text(outcomes: dict) -> str:
    shown = {"ok": "200"}
    return " and ".join(f"{shown.get(k, k)} ({n})" for k, n in outcomes.items()) or "not asked"


def worker_section(s: dict) -> dict:
    f = s["fault"]
    row = (
        f"| {s['replaced_after_s']:.2f} | {f['requests']} | "
        f"{errors_text(f['failed'], f['errors_by_kind'])} | {f['error_window_s']:.2f} "
        f"| {f['recovery_s']:.2f} | {s['outside_windows']} |"
    )
    replaced = (
        f"the master started worker {s['replacement_pid']} in its place within "
        f"{s['replaced_after_s']:.2f} s"
        if s["replacement_pid"]
        else "the master started no worker in its place within 30 s"
    )
    reading = [
        f"SIGKILL went to worker {s['killed_pid']} mid-load; {replaced}. {f['failed']} requests "
        f"failed ({', '.join(f['errors_by_kind']) or 'none'}): the ones that worker was serving "
        "or had accepted, which die with it; a killed process answers nothing. "
        + (
            "No request failed outside that moment."
            if not s["outside_windows"]
            else f"{s['outside_windows']} requests failed outside it."
        ),
        writes_text(s),
    ]
    return {"worker_row": row, "worker_reading": "\n\n".join(reading)}


def exam_section(s: dict, cpus: int) -> dict:
    hashing = s["password_hashing"]
    cpu_floor = s["students"] * hashing["check_ms"] / 1000 / cpus
    kinds = s["by_kind"]
    reading = [
        f"{s['students']} students arrived within {s['spread_s']:.0f} s, logged in through "
        f"the form and answered the same {s['question_type']} question: {s['answered']} "
        f"answers were acknowledged, {errors_text(s['errors'], s['errors_by_kind'])} requests "
        f"failed, and the last answer came back {s['makespan_s']:.0f} s after the first student "
        "arrived"
        + (
            f", close to the {s['timeout_s']:.0f} s a student waits for a page."
            if s["makespan_s"] > 0.75 * s["timeout_s"]
            else "."
        ),
        f"A login checks the password with {hashing['algorithm']}, which took "
        f"{hashing['check_ms']} ms here: {s['students']} logins need at least {cpu_floor:.0f} s "
        f"of the machine's {cpus} cores, and every other request waits behind them. The login "
        f"page, which costs milliseconds, took {figure(kinds, 'login page', 'p50_ms')} at the "
        f"median; the login {figure(kinds, 'login', 'p50_ms')} (p99 "
        f"{figure(kinds, 'login', 'p99_ms')}); the answer {figure(kinds, 'answer', 'p50_ms')} "
        f"(p99 {figure(kinds, 'answer', 'p99_ms')}). The password checks set the pace of an exam "
        "start on this hardware.",
        writes_text(s),
    ]
    return {"exam_rows": kind_rows(kinds), "exam_reading": "\n\n".join(reading)}


def figure(by_kind: dict, kind: str, name: str) -> str:
    return duration(by_kind.get(kind, {}).get(name, 0))


def repeats_section(s: dict) -> dict:
    responses = s["repeat_responses"]
    shown = responses.get("ok", 0)
    total = sum(responses.values())
    per_round = ", ".join(str(n) for n in s["attempts_per_round"])
    reading = [
        f"{s['rounds']} rounds, each ten posts of one question form with the same token, sent "
        f"together from ten connections of one student: {s['rounds_with_one_attempt']} of "
        f"{s['rounds']} rounds recorded exactly one attempt (attempts per round: {per_round}). "
        f"{shown} of the {total} posts came back showing the verdict"
        + (
            ", the repeats the attempt already recorded."
            if shown == total
            else f"; the others: {errors_text(total - shown, without_ok(responses))}."
        ),
        writes_text(s),
    ]
    types = sorted({r["type"] for r in s["round_details"]})
    return {"repeats_types": ", ".join(types), "repeats_reading": "\n\n".join(reading)}


def without_ok(outcomes: dict) -> dict:
    return {kind: n for kind, n in outcomes.items() if kind != "ok"}


def held_and_failed(result: dict) -> tuple[list[str], list[str]]:
    """The run's findings, sorted into what held and what failed."""
    held, failed = [], []
    scenarios = {scenario["name"]: scenario for scenario in result["scenarios"]}
    lost = sum(written(s)[1] for s in result["scenarios"])
    duplicated = sum(written(s)[2] for s in result["scenarios"])
    acknowledged = sum(written(s)[0] for s in result["scenarios"])
    (failed if lost or duplicated else held).append(
        f"Acknowledged writes: {acknowledged}, of which {lost} lost and {duplicated} duplicated, "
        "across all scenarios and faults."
    )
    outside = {s["name"]: s["outside_windows"] for s in result["scenarios"] if s["outside_windows"]}
    if outside:
        failed.append(f"Errors outside the fault windows: {counts_text(outside)}.")
    else:
        held.append("No error outside the fault windows, in any scenario.")
    database = scenarios["database restart and outage"]
    down = database["while_down"]
    if "HTTP 500" in down:
        failed.append(
            f"Pages while PostgreSQL was down: {counts_text(down)}, not 503 with Retry-After."
        )
    else:
        held.append(f"Pages while PostgreSQL was down: {counts_text(down)}.")
    reads = database["restart"]["failed_reads"]
    (failed if reads else held).append(f"Reads failed across a quick restart: {reads}.")
    (held if database["outage"]["recovery_s"] < 1 else failed).append(
        f"Recovery once PostgreSQL was back: {database['outage']['recovery_s']:.1f} s."
    )
    worker = scenarios["worker killed"]
    (held if worker["replacement_pid"] else failed).append(
        f"A killed worker: replaced in {worker['replaced_after_s']:.2f} s, "
        f"{worker['fault']['failed']} requests lost with it."
    )
    exam = scenarios["exam start"]
    (failed if exam["errors"] else held).append(
        f"Exam start: {exam['answered']} of {exam['students']} students logged in and answered "
        f"({errors_text(exam['errors'], exam['errors_by_kind'])} failed), though the last "
        f"answer came {exam['makespan_s']:.0f} s after the first arrival."
    )
    repeats = scenarios["identical submits"]
    (held if repeats["rounds_with_one_attempt"] == repeats["rounds"] else failed).append(
        f"Identical submits: {repeats['rounds_with_one_attempt']} of {repeats['rounds']} rounds "
        "recorded exactly one attempt."
    )
    return held, failed
