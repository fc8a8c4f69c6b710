// The query corpus for the differential test, and the evaluation times each
// query is run at (instant and range). Reusable by any test that compares
// Inferscope with Prometheus over the dataset in ./dataset.ts.
import type { Dataset } from "./dataset";

const H = "http_requests_total";
const B = "http_request_duration_seconds_bucket";
const T = "temperature_celsius";
const Q = "queue_depth";

export const QUERIES: readonly string[] = [
  // Literals and scalar arithmetic.
  "1", "1+1", "-1", "+5", "1.5e3", "0x1F", "0X1f", "Inf", "-Inf", "NaN", "nan", "-inf", "2 ^ 3 ^ 2", "(2 ^ 3) ^ 2", "-2 ^ 2", "2 * 3 + 4 / 2 - 1",
  "7 % 3", "-7 % 3", "5.5 % -2", "1 / 0", "-1 / 0", "0 / 0", "1 == bool 1", "2 > bool 1", "1 != bool 1", "3 <= bool 3", "2 < bool 1", "2 >= bool 2",
  "1 atan2 2", "time()", "time() - 100", "pi()", "vector(1)", "vector(time())", "scalar(vector(42))", '"a string"', "'single'", "`raw\\n`",
  '"esc\\t\\u00e9\\x41"', "1 + 2 * 3 ^ 2 % 5", "((1))", "- -1", "1 - -1", "2 ^ -1", "(1 + 2) * -(3)",
  // Selectors and matchers.
  H, `${H}{job="api"}`, `${H}{job!="api"}`, `${H}{method=~"G.*"}`, `${H}{method!~"G.*"}`, `${H}{status=~"5.."}`, `${H}{instance=~"host-[0-2]:9100"}`,
  `${H}{job="api",method="POST",status="500"}`, `{__name__="${H}",job="web"}`, `{__name__=~"tokens_.*"}`, `{__name__=~"tokens_.*_total",model="qwen-14b"}`,
  `${H}{job=~"api|web",status!="200"}`, `${H}{job=~"(?i)API"}`, `${H}{method=~"get|post"}`, `${H}{instance=~".*-3.*"}`, `${H}{instance=~"host-3"}`,
  `${H}{nonexistent=""}`, `${H}{nonexistent!=""}`, `${H}{job=~""}`, `${T}{zone=~"cpu\\\\d"}`, `${T}{zone=~"[cg]pu[[:digit:]]"}`, `${T}{zone!~"cpu.|gpu."}`,
  `${T}{zone=~"gpu(0|1)",instance="host-1:9100"}`, "memory_bytes", "up", "up == 0", "flaky_gauge", "batch_jobs_processed_total", "odd_values", "build_info",
  "nonexistent_metric", `${H}{job="nope"}`, `tokens_prompt_total{model=~"llama.*|mistral.*"}`, `${Q}{tier="gold"}`,
  // Offsets and @.
  `${H}{job="api"} offset 5m`, `${H}{job="api"} offset 1h`, `${H}{job="api"} offset -5m`, `${T} offset 90s`, `rate(${H}[5m] offset 10m)`,
  `rate(${H}[5m] offset -10m)`, `${T} @ 1700003600`, `${T} @ 1700003600.5`, `${T} @ 1700003600 offset 5m`, `${T} offset 5m @ 1700003600`,
  `rate(${H}[5m] @ 1700005000)`, `sum(rate(${H}[5m] @ 1700005000))`, `${T} @ start()`, `${T} @ end()`, `rate(${H}[10m] @ end())`,
  `max_over_time(${T}[10m] @ start())`, `${T} - ${T} @ start()`, `timestamp(${T} @ 1700003600)`, `timestamp(${T} offset 5m)`,
  `${T} @ 1700003600 > 50`, `sum by (zone) (${T} @ end())`, `time() - timestamp(${T} @ start())`,
  // Range vectors (instant queries only).
  `${T}{instance="host-0:9100",zone="cpu0"}[1m]`, `${T}{instance="host-0:9100",zone="cpu0"}[2m] offset 1m`, `${Q}{queue="q1"}[3m]`,
  `batch_jobs_processed_total{job="batch-1"}[5m]`, `${H}{job="api",method="GET",status="200"}[1m] @ 1700003000`,
  // Counters.
  `rate(${H}[5m])`, `rate(${H}[1m])`, `rate(${H}[30s])`, `rate(${H}[17m])`, `irate(${H}[5m])`, `irate(${H}[1m])`, `increase(${H}[5m])`,
  `increase(${H}[1h])`, `delta(${T}[5m])`, `delta(${T}[1h])`, `idelta(${T}[5m])`, `resets(${H}[1h])`, `resets(${H}[3h])`, `changes(${Q}[10m])`,
  `changes(${Q}[1h])`, `rate(batch_jobs_processed_total[5m])`, `increase(batch_jobs_processed_total[10m])`, `rate(tokens_prompt_total[5m])`,
  `rate(flaky_gauge[5m])`, `irate(batch_jobs_processed_total[2m])`, `resets(${Q}[30m])`, `rate(http_request_duration_seconds_count[5m])`,
  `rate(odd_values[5m])`, `increase(${H}{job="web",status="500"}[15m])`, `rate({__name__=~"tokens_.*"}[5m])`,
  // Gauges over time.
  `deriv(${T}[10m])`, `deriv(memory_bytes[5m])`, `predict_linear(${T}[10m], 3600)`, `predict_linear(memory_bytes[30m], 600)`, `predict_linear(${T}[10m], -300)`,
  `holt_winters(${T}[10m], 0.5, 0.5)`, `holt_winters(memory_bytes[30m], 0.1, 0.9)`, `avg_over_time(${T}[5m])`, `min_over_time(${T}[5m])`,
  `max_over_time(${T}[5m])`, `sum_over_time(${T}[5m])`, `count_over_time(${T}[5m])`, `last_over_time(${T}[5m])`, `present_over_time(${T}[5m])`,
  `quantile_over_time(0.9, ${T}[10m])`, `quantile_over_time(0, ${T}[10m])`, `quantile_over_time(1, ${T}[10m])`, `quantile_over_time(0.5, ${Q}[30m])`,
  `quantile_over_time(-1, ${T}[10m])`, `quantile_over_time(2, ${T}[10m])`, `stddev_over_time(${T}[10m])`, `stdvar_over_time(${T}[10m])`,
  `avg_over_time(memory_bytes[1h])`, `count_over_time(flaky_gauge[10m])`, `last_over_time(flaky_gauge[10m])`, `absent_over_time(flaky_gauge[5m])`,
  `absent_over_time(flaky_gauge{instance="host-3:9100"}[1m])`, `absent_over_time(nonexistent_metric{job="x"}[5m])`, `absent_over_time(${T}[5m])`,
  `present_over_time(batch_jobs_processed_total[5m])`, `max_over_time(odd_values[10m])`, `min_over_time(odd_values[10m])`, `avg_over_time(odd_values[10m])`,
  `sum_over_time(odd_values[10m])`, `stddev_over_time(balance_delta[30m])`, `count_over_time(batch_jobs_processed_total[10m])`,
  `changes(odd_values[10m])`, `deriv(balance_delta[15m])`, `avg_over_time(balance_delta[2m])`, `last_over_time(batch_jobs_processed_total[2m])`,
  // Instant-vector math functions.
  `abs(balance_delta)`, `ceil(balance_delta)`, `floor(balance_delta)`, `round(balance_delta)`, `round(balance_delta, 0.5)`, `round(${T}, 10)`,
  `sqrt(${T})`, `sqrt(balance_delta)`, `exp(balance_delta)`, `ln(${T})`, `log2(memory_bytes)`, `log10(memory_bytes)`, `ln(balance_delta)`, `sgn(balance_delta)`,
  `clamp(balance_delta, -1, 1)`, `clamp(${T}, 60, 40)`, `clamp_min(balance_delta, 0)`, `clamp_max(balance_delta, 0)`, `abs(odd_values)`, `sgn(odd_values)`,
  `sqrt(odd_values)`, `acos(balance_delta / 10)`, `acosh(${T})`, `asin(balance_delta / 10)`, `asinh(balance_delta)`, `atan(balance_delta)`,
  `atanh(balance_delta / 10)`, `cos(balance_delta)`, `cosh(balance_delta)`, `sin(balance_delta)`, `sinh(balance_delta)`, `tan(balance_delta)`,
  `tanh(balance_delta)`, `deg(balance_delta)`, `rad(${T})`, `exp(${T})`, `floor(rate(${H}[5m]))`,
  // Time and date functions.
  `timestamp(${T})`, `timestamp(flaky_gauge)`, `timestamp(batch_jobs_processed_total)`, `timestamp(sum(${T}))`, `time() - timestamp(flaky_gauge)`,
  "day_of_month()", "day_of_week()", "day_of_year()", "days_in_month()", "hour()", "minute()", "month()", "year()",
  `hour(timestamp(${T}))`, `minute(timestamp(${Q}))`, "day_of_week(vector(1700000000))", "days_in_month(vector(1709251200))", "day_of_year(vector(1704067199))",
  "month(vector(1701388800))", "year(vector(1e9))", "hour(vector(-1))", `minute(${Q})`, "day_of_month(vector(1709164800))",
  // Sorting and labels.
  `sort(${T})`, `sort_desc(${T})`, `sort(rate(${H}[5m]))`, `sort_desc(sum by (job) (rate(${H}[5m])))`, `sort(odd_values)`, `sort_desc(odd_values)`,
  `label_replace(${T}, "host", "$1", "instance", "(.*):.*")`, `label_replace(${T}, "zone_kind", "$1", "zone", "([a-z]+)\\\\d")`,
  `label_replace(${T}, "x", "$1$2", "zone", "(cpu)(0)")`, `label_replace(${T}, "x", "\${1}_y", "zone", "(.*)")`, `label_replace(${T}, "x", "$1_y", "zone", "(.*)")`,
  `label_replace(${T}, "zone", "", "zone", "cpu.*")`, `label_replace(${T}, "x", "lit", "nonexistent", "")`, `label_replace(${T}, "x", "$name", "zone", "(?P<name>g.*)")`,
  `label_replace(${T}, "__name__", "renamed", "zone", "board")`, `label_replace(up, "instance", "same", "instance", ".*")`,
  `label_join(${T}, "id", "/", "instance", "zone")`, `label_join(${T}, "id", "", "zone")`, `label_join(${T}, "zone", "-", "nonexistent")`,
  `label_join(up, "all", ",", "job", "instance", "job")`, `sum by (host) (label_replace(${T}, "host", "$1", "instance", "(.*):.*"))`,
  // histogram_quantile.
  `histogram_quantile(0.9, rate(${B}[5m]))`, `histogram_quantile(0.5, rate(${B}[10m]))`, `histogram_quantile(0.99, sum by (le) (rate(${B}[5m])))`,
  `histogram_quantile(0.9, sum by (job, le) (rate(${B}[5m])))`, `histogram_quantile(0, rate(${B}[5m]))`, `histogram_quantile(1, rate(${B}[5m]))`,
  `histogram_quantile(-0.5, rate(${B}[5m]))`, `histogram_quantile(1.5, rate(${B}[5m]))`, `histogram_quantile(0.75, ${B})`,
  `histogram_quantile(0.9, sum without (instance) (rate(${B}[5m])))`, `histogram_quantile(0.9, rate(${B}{le!="+Inf"}[5m]))`,
  `histogram_quantile(0.5, rate(${B}{le=~"0.1|0.5|\\\\+Inf"}[5m]))`, `histogram_quantile(scalar(vector(0.3)), rate(${B}[5m]))`,
  `histogram_quantile(0.9, increase(${B}[1m]))`, `histogram_quantile(0.9, ${H})`,
  // Aggregations.
  `sum(${H})`, `sum by (job) (${H})`, `sum(${H}) by (job, method)`, `sum without (instance) (${H})`, `sum without (instance, method, status) (${H})`,
  `avg by (zone) (${T})`, `min by (instance) (${T})`, `max by (instance) (${T})`, `count by (job) (${H})`, `count(${T})`, `group by (job) (${H})`,
  `group(${T})`, `stddev by (zone) (${T})`, `stdvar by (zone) (${T})`, `stddev(${T})`, `topk(3, ${T})`, `topk(2, ${T}) by (zone)`, `bottomk(3, ${T})`,
  `bottomk(1, ${T}) by (instance)`, `topk(1000, ${Q})`, `topk(0, ${T})`, `topk(2.7, ${T})`, `topk(scalar(count(up)) - 8, ${T})`, `quantile(0.5, ${T})`,
  `quantile by (zone) (0.9, ${T})`, `quantile(0, ${T})`, `quantile(1.5, ${T})`, `count_values("value", ${Q})`, `count_values by (tier) ("depth", ${Q})`,
  `count_values without (queue) ("depth", ${Q})`, `count_values("v", round(balance_delta))`, `sum by (__name__) ({__name__=~"tokens_.*"})`,
  `sum(rate(${H}[5m])) by (job)`, `avg(rate(${H}[5m])) without (method)`, `max(odd_values)`, `min(odd_values)`, `sum(odd_values)`, `avg(odd_values)`,
  `count(odd_values)`, `stddev(odd_values)`, `topk(2, odd_values)`, `bottomk(2, odd_values)`, `sum by (nonexistent) (${T})`, `sum by (zone, instance) (${T})`,
  `avg without () (${T})`, `sum by () (${T})`, `max by (pool) (rate(batch_jobs_processed_total[5m]))`, `count(flaky_gauge)`, `sum(nonexistent_metric)`,
  `count_values("le", ${B})`, `topk by (job) (1, sum by (job, instance) (rate(${H}[5m])))`, `bottomk(2, sum by (instance) (rate(${H}[5m])))`,
  `quantile(0.25, rate(${H}[5m]))`, `avg by (job) (up)`, `sum by (job) (up == 0)`, `count by (version) (build_info)`,
  // Binary operators: vector/scalar.
  `${T} + 1`, `1 + ${T}`, `${T} * 2`, `${T} / 0`, `${T} % 7`, `${T} ^ 2`, `2 ^ ${Q}`, `${T} - ${T}`, `${T} > 50`, `50 < ${T}`, `${T} > bool 50`,
  `50 >= bool ${T}`, `${T} == 42`, `${Q} == 2`, `${Q} != 0`, `${Q} <= bool 1`, `-${T}`, `-rate(${H}[5m])`, `${T} atan2 10`, `10 atan2 ${T}`,
  `${T} > Inf`, `odd_values > 0`, `odd_values == bool NaN`, `odd_values != NaN`, `memory_bytes / 1024 / 1024`, `(${T} - 32) * 5 / 9`,
  // Binary operators: vector/vector.
  `${T} - ${T} offset 5m`, `rate(${H}[5m]) / rate(${H}[10m])`, `${H}{status="500"} / ignoring(status) ${H}{status="200"}`,
  `${H}{status="500"} / on(job, instance, method) ${H}{status="200"}`, `sum by (job) (rate(${H}{status="500"}[5m])) / sum by (job) (rate(${H}[5m]))`,
  `${T} > on(instance, zone) ${T} offset 10m`, `${T} > bool on(instance, zone) ${T} offset 10m`, `${T} == ${T}`, `${T} != bool ${T}`,
  `up * on(instance) group_left(version) build_info`, `up * on(instance) group_left build_info`, `build_info * on(instance) group_right(job) up`,
  `sum by (instance) (rate(${H}[5m])) * on(instance) group_left(version) build_info`, `${T} / on(instance) group_left sum by (instance) (${T})`,
  `${T} / ignoring(zone) group_left sum without (zone) (${T})`, `up and ${T}`, `${T} and on(instance) up == 1`, `${T} and up`, `up or ${T}`,
  `${T} or on(instance) up`, `flaky_gauge or ${T}`, `${T} unless on(instance) up == 0`, `${T} unless ${T}{zone="board"}`, `up unless up`,
  `${Q} and ${Q} > 2`, `(${Q} > 2) or (${Q} < 1)`, `${H} and ignoring(status) ${H}{status="500"}`, `rate(${H}[5m]) > 5 and rate(${H}[5m]) < 50`,
  `memory_bytes{kind="used"} / ignoring(kind) memory_bytes{kind="free"}`, `tokens_prompt_total / tokens_completion_total`,
  `tokens_prompt_total / ignoring(__name__) tokens_completion_total`, `rate(tokens_prompt_total[5m]) + on(model) rate(tokens_completion_total[5m])`,
  `${T} atan2 ${T} offset 1m`, `${H} + ${H}`, `${H} - on(job) group_left ${H}`, `${H} * ${H} > 1000000`, `${Q} ^ ${Q}`, `${Q} % ${Q}`,
  `flaky_gauge - flaky_gauge offset 10m`, `up > bool up offset 15m`, `${T} and on() vector(1)`, `${T} + on() group_left vector(1)`,
  `sum(${T}) + sum(memory_bytes)`, `scalar(sum(up)) * ${Q}`, `vector(1) + vector(2)`, `-(${T} > 50)`, `${T} > 50 > 60`, `${T} > bool 50 == bool 1`,
  // Errors Prometheus reports at run time (compared by errorType).
  `${T} + ignoring(zone) ${T}`, `${H} / on(job) ${H}`, `up * on(job) group_left ${T}`, `rate({__name__=~"tokens_.*"}[5m])`,
  `-{__name__=~"tokens_.*"}`, `label_replace(${T}, "instance", "x", "zone", ".*")`, `label_replace(${T}, "1bad", "x", "zone", ".*")`,
  `label_replace(${T}, "x", "x", "zone", "(")`, `holt_winters(${T}[5m], 1.5, 0.5)`, `count_values("bad-name", ${Q})`,
  `${H}{job="api"} + on(instance) group_left ${H}`, `{__name__=~"tokens_.*"} + 1`,
  // Subqueries.
  `max_over_time(${T}[10m:1m])`, `max_over_time(${T}[10m:])`, `min_over_time(rate(${H}[5m])[30m:2m])`, `avg_over_time(sum by (job) (rate(${H}[5m]))[1h:5m])`,
  `rate(${H}[5m:30s])`, `deriv(${T}[15m:1m])`, `sum_over_time(${Q}[20m:1m])`, `count_over_time(flaky_gauge[30m:1m])`,
  `max_over_time(rate(${H}[5m])[30m:1m] offset 10m)`, `max_over_time(${T}[10m:1m] @ 1700004000)`, `last_over_time(${T}[5m:1m])`,
  `quantile_over_time(0.5, ${T}[10m:30s])`, `absent_over_time(flaky_gauge[10m:1m])`, `max_over_time(max_over_time(${T}[5m])[20m:2m])`,
  `${T}[10m:2m]`, `rate(${H}[5m])[10m:1m]`, `sum(${T})[5m:1m]`, `max_over_time((${T} > 50)[15m:1m])`, `changes((${Q} > 2)[30m:1m])`,
  `avg_over_time((${T} @ 1700003600)[10m:1m])`, `max_over_time(${T}[10m:1m] offset -5m)`, `min_over_time(vector(time())[5m:1m])`,
  `irate(${H}[10m:15s])`, `holt_winters(${T}[20m:1m], 0.3, 0.3)`, `predict_linear(${T}[20m:1m], 600)`,
  // absent, scalar, vector.
  "absent(nonexistent_metric)", 'absent(nonexistent_metric{job="x",instance=~"y"})', `absent(${T})`, 'absent(nonexistent{a="1",a="2"})',
  "absent(flaky_gauge)", `absent(sum(nonexistent_metric))`, `scalar(${T})`, `scalar(sum(${T}))`, `scalar(build_info{instance="host-0:9100"})`,
  `vector(scalar(sum(up)))`, `absent(up{job="nope"} == 1)`, `scalar(nonexistent_metric)`,
  // Staleness and gaps.
  "batch_jobs_processed_total offset 1m", 'batch_jobs_processed_total{job="batch-1"}', "sum(batch_jobs_processed_total)", "count(batch_jobs_processed_total)",
  "flaky_gauge offset 3m", "count(flaky_gauge offset 30m)", "timestamp(batch_jobs_processed_total offset 2m)",
  // Parse errors and type errors (compared by errorType).
  // Harder cases: ties, nesting, precision, formatting.
  `topk(3, ${Q})`, `bottomk(2, ${Q})`, `topk(2, ${Q}) by (tier)`, `bottomk(3, ${Q}) by (tier)`, `topk(1, up)`, `bottomk(4, up)`, `sort(${Q})`, `sort_desc(${Q})`,
  `sort_desc(topk(3, ${T}))`, `topk(3, rate(${H}[5m]))`, `topk(5, odd_values)`, `bottomk(5, odd_values)`, `count_values("x", odd_values)`,
  `count_values("x", balance_delta / 7)`, `quantile(0.5, odd_values)`, `quantile by (tier) (0.3, ${Q})`,
  `max_over_time((max_over_time(${T}[5m:1m] offset 2m))[20m:3m] offset 1m)`, `rate(${H}[5m:1m] @ 1700005000)`, `max_over_time(${T}[7m:45s])`,
  `avg_over_time(${T}[10m:1m] @ end())`, `sum_over_time(rate(${H}[2m])[7m:45s] offset 3m)`, `increase(${H}[2m:10s])`, `irate(${H}[10m:1m])`,
  `timestamp(${T} @ 1700003600 offset 5m)`, `absent(nonexistent{job=~"x"})`, `predict_linear(${T}[10m] offset 30m, 600)`, `rate(${H}[1m] @ 100)`,
  `changes(up[1h])`, `resets(up[1h])`, `last_over_time(${T}[5m] offset 1m)`, `-${T} offset 5m`, `sum(${T}) by (zone) > bool 100`,
  `vector(1) and on() ${T}`, `time() > bool 1700005000`, `${T}[5m] @ end()`, `round(odd_values)`, `ceil(odd_values)`, `clamp(odd_values, -2, 2)`,
  `label_join(${T}, "n", "+", "__name__", "zone")`, `{__name__=~"http_.*",job="api",instance="host-1:9100"} offset 5m`, `1 - ${T}`, `${T} ^ 0.5`,
  `0 ^ balance_delta`, `memory_bytes * 1e15`, `balance_delta / 1e12`, `vector(0) * -1`, `-vector(0)`, `memory_bytes * 1e300 * 1e10`,
  `day_of_week(${T})`, `${Q} > bool on(queue) group_left ${Q} offset 10m`, `stddev_over_time(odd_values[10m])`, `deriv(${H}[5m])`,
  `holt_winters(${Q}[30m], 0.2, 0.8)`, `sum without (le) (${B})`, `histogram_quantile(0.5, sum by (le) (rate(${B}[5m] offset 20m)))`,
  `rate(${H}[5m]) and on(instance) (up == 1)`, `flaky_gauge and on(instance) flaky_gauge offset 10m`, `flaky_gauge unless flaky_gauge offset 10m`,
  `count(count by (instance) (flaky_gauge))`, `avg_over_time(flaky_gauge[20m:30s])`, `max by (dc) (flaky_gauge offset 1m)`,
  `count_over_time(batch_jobs_processed_total[20m])`, `changes(batch_jobs_processed_total[30m])`, `resets(batch_jobs_processed_total[1h])`,
  `absent_over_time(batch_jobs_processed_total{job="batch-2"}[5m])`, `present_over_time(flaky_gauge[30s])`, `group by (pool) (batch_jobs_processed_total)`,
  `${T}{instance=~"host-\\d+:\\d{4}"}`, `${T}{zone=~"\\w+0"}`, `${T}{zone=~"(?i)CPU.*|board"}`, `${T}{zone!~"(?:gpu|cpu)[01]"}`,
  `${T}{zone=~"[[:lower:]]+"}`, `${T}{zone=~"cpu[^0]"}`, `${T}{zone=~"b.a.d"}`, `${T}{zone=~".*",instance=~".+"}`, `${T}{zone=~"(?s:.)pu0"}`,
  `label_replace(${T}, "x", "[$1][$2]", "zone", "(c)?(pu.*)")`, `count_values("v", memory_bytes * 1e15)`, `count_values("v", balance_delta / 1e9)`,
  // Parse errors and type errors (compared by errorType).
  "sum(", `${H}{job=}`, "foo(bar)", `rate(${T})`, `rate(${T}[5m], 1)`, "1 > 2", `${T}[5m] + 1`, `${T} and 1`, "1 and 2", `sum(${T}[5m])`,
  `topk(${T}, ${T})`, `count_values(1, ${T})`, `${T} offset`, `${T}[5m:1m:1m]`, "{}", '{job=~".*"}', `${T} bool + 1`, `${T} + bool 1`,
  `(${T})[5m]`, `${T}[5m] offset 1m [1m]`, `${T} offset 5m offset 1m`, `${T} @ 100 @ 200`, `histogram_quantile(${T}, ${B})`, `abs()`,
  `abs(${T}, ${T})`, `round(${T}, 1, 2)`, `label_join(${T})`, `${T}{zone=~"(?=x)"}`, `${T}{zone=~"a{2,1}"}`, `x[0s]`, `x offset 0s`, `${T}[5]`,
  `sum by (job) (${T}) + on(foo) group_left(foo) ${T}`, `1 + "a"`, `-"a"`, `"a"[5m]`, `time(1)`, `vector(${T})`, `scalar(1)`, `1m`,
];

export type QueryCase =
  | { id: string; query: string; type: "instant"; time: number }
  | { id: string; query: string; type: "range"; start: number; end: number; step: number };

/** Whether the order of an instant vector result is meaningful (top-level sort/sort_desc). */
export function isOrdered(query: string): boolean {
  return /^\s*sort(_desc)?\s*\(/.test(query);
}

/** Evaluation points: 3 instant times (mid-data, near the start, after the end) and 2 ranges (odd step included). */
export function buildCases(ds: Dataset, queries: readonly string[] = QUERIES): QueryCase[] {
  const instants = [ds.start + 2 * 3600_000 + 13 * 60_000 + 7_500, ds.start + 90_000, ds.end + 4 * 60_000];
  const ranges = [
    { start: ds.start + 20 * 60_000, end: ds.start + 2 * 3600_000 + 50 * 60_000, step: 60_000 },
    { start: ds.start + 3600_000 + 1_234, end: ds.start + 3600_000 + 45 * 60_000, step: 37_000 },
  ];
  const cases: QueryCase[] = [];
  queries.forEach((query, qi) => {
    instants.forEach((time, i) => cases.push({ id: `q${qi}/instant${i}`, query, type: "instant", time }));
    ranges.forEach((r, i) => cases.push({ id: `q${qi}/range${i}`, query, type: "range", ...r }));
  });
  return cases;
}
