// A measurement, not part of the product: how fast a native engine could read the usual
// production log of bench/logs.ts. It does the hot path of a full summary for that log's shape
// only (split lines; read the Logger prefix, time and request-id tag; assemble requests by id;
// fold status classes, hours, per-action histograms, view/DB shares, the slowest, exception
// classes, failed logins, a character test for suspicious paths) and leaves out what the
// JavaScript engine also does (other shapes, windows, five-minute slots, bursts, SQL, joining
// requests across the cut between threads, the JSON). bench/logs.ts builds it with g++ when
// there is one and prints its time beside grep's. Usage: hotPath FILE [THREADS].
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>
#include <algorithm>

static const double ALPHA = 0.005;
static const double LOG_GAMMA = std::log((1 + ALPHA) / (1 - ALPHA));

struct Hist {
  std::vector<uint32_t> b = std::vector<uint32_t>(8192, 0);
  uint64_t count = 0, zero = 0;
  int64_t sumMicros = 0;
  double max = 0;
  void add(double v) {
    count++;
    sumMicros += llround(v * 1000);
    if (v > max) max = v;
    if (v < 0.001) { zero++; return; }
    int i = (int)std::ceil(std::log(v) / LOG_GAMMA) + 4096;
    if (i < 0) i = 0;
    if (i > 8191) i = 8191;
    b[i]++;
  }
};

struct Action {
  uint64_t count = 0, errors = 0;
  Hist h;
  int64_t viewMicros = 0, dbMicros = 0, viewBase = 0, dbBase = 0;
};

struct Rec {
  double time = NAN;
  std::string method, path, ip, action, format, params;
  int status = -1;
  double duration = -1, view = -1, db = -1;
  uint64_t line = 0, offset = 0;
  int lines = 0;
  bool completed = false;
  std::string exceptionClass;
};

struct Slow { double d; uint64_t off; std::string action, path; };

struct State {
  uint64_t lines = 0, requests = 0, byId = 0, orphan = 0, suspicious = 0, failed = 0, errors = 0;
  uint64_t classes[7] = {0};
  Hist overall;
  std::unordered_map<std::string, Action> actions;
  std::unordered_map<int64_t, uint64_t> hours;
  std::unordered_map<std::string, uint64_t> failedByIp, exceptions;
  std::vector<Slow> slowest;
  std::unordered_map<std::string, Rec> active, done;
  std::string cachedId;
  Rec *cached = nullptr;
  int64_t minuteKey = -1;
  double minuteEpoch = 0;
};

static inline int two(const char *p) {
  unsigned x = (unsigned char)p[0] - '0', y = (unsigned char)p[1] - '0';
  return x <= 9 && y <= 9 ? (int)(x * 10 + y) : -1;
}

static double num(const char *p, const char *end, const char **stop) {
  double v = 0, scale = 0;
  const char *i = p;
  for (; i < end; i++) {
    char c = *i;
    if (c >= '0' && c <= '9') {
      if (scale) { v += (c - '0') / scale; scale *= 10; } else v = v * 10 + (c - '0');
    } else if (c == '.' && !scale) scale = 10; else break;
  }
  *stop = i;
  return i == p ? NAN : std::round(v * 1000) / 1000;
}

static const char *find(const char *b, const char *e, const char *needle) {
  size_t n = strlen(needle);
  void *r = memmem(b, e - b, needle, n);
  return r ? (const char *)r : nullptr;
}

static bool suspiciousText(const std::string &s) {
  for (unsigned char c : s) {
    if (!(isalnum(c) || c == '/' || c == '_' || c == '-' || c == ' ' || c == '"' || c == '=' ||
          c == '>' || c == ',' || c == '{' || c == '}' || c == ':'))
      return true;
  }
  return s.find("..") != std::string::npos;
}

static void fold(State &s, Rec &r) {
  s.requests++;
  if (r.completed) {
    int cls = r.status >= 100 && r.status <= 599 ? r.status / 100 : 6;
    s.classes[cls]++;
  }
  if (!std::isnan(r.time)) s.hours[(int64_t)(r.time / 3600000)]++;
  if (r.duration >= 0) {
    s.overall.add(r.duration);
    Action &a = s.actions[r.action];
    a.count++;
    if (r.status >= 500) a.errors++;
    a.h.add(r.duration);
    int64_t micros = llround(r.duration * 1000);
    if (r.view >= 0) { a.viewMicros += llround(r.view * 1000); a.viewBase += micros; }
    if (r.db >= 0) { a.dbMicros += llround(r.db * 1000); a.dbBase += micros; }
    if (s.slowest.size() < 20 || r.duration > s.slowest.back().d) {
      s.slowest.push_back({r.duration, r.offset, r.action, r.path});
      std::sort(s.slowest.begin(), s.slowest.end(),
                [](const Slow &x, const Slow &y) { return x.d > y.d; });
      if (s.slowest.size() > 20) s.slowest.pop_back();
    }
  }
  if (r.status >= 500 || !r.exceptionClass.empty()) {
    s.errors++;
    s.exceptions[r.exceptionClass.empty() ? "HTTP" : r.exceptionClass]++;
  }
  if (r.status == 401 && r.action.find("Sessions") != std::string::npos) {
    s.failed++;
    s.failedByIp[r.ip]++;
  }
  if (suspiciousText(r.path) || suspiciousText(r.params)) s.suspicious++;
}

static void line(State &s, const char *b, const char *e, uint64_t lineNo, uint64_t off) {
  s.lines++;
  if (e - b < 36 || b[1] != ',' || b[2] != ' ' || b[3] != '[') { s.orphan++; return; }
  const char *t = b + 4;
  if (t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':') {
    s.orphan++;
    return;
  }
  int y1 = two(t), y2 = two(t + 2), mo = two(t + 5), d = two(t + 8), h = two(t + 11),
      mi = two(t + 14), sec = two(t + 17);
  if ((y1 | y2 | mo | d | h | mi | sec) < 0) { s.orphan++; return; }
  int64_t key = ((((int64_t)(y1 * 100 + y2) * 13 + mo) * 32 + d) * 24 + h) * 60 + mi;
  if (key != s.minuteKey) {
    struct tm tm = {};
    tm.tm_year = y1 * 100 + y2 - 1900; tm.tm_mon = mo - 1; tm.tm_mday = d;
    tm.tm_hour = h; tm.tm_min = mi;
    s.minuteKey = key;
    s.minuteEpoch = (double)timegm(&tm) * 1000;
  }
  const char *i = t + 19;
  double ms = 0;
  if (*i == '.') {
    i++;
    double scale = 100;
    while (i < e && *i >= '0' && *i <= '9') { ms += (*i - '0') * scale; scale /= 10; i++; }
  }
  double time = s.minuteEpoch + sec * 1000 + ms;
  if (i[0] != ' ' || i[1] != '#') { s.orphan++; return; }
  i += 2;
  while (*i >= '0' && *i <= '9') i++;
  if (*i != ']') { s.orphan++; return; }
  i++;
  while (*i == ' ') i++;
  while (*i >= 'A' && *i <= 'Z') i++;
  if (i[0] != ' ' || i[1] != '-' || i[2] != '-' || i[3] != ' ' || i[4] != ':') {
    s.orphan++;
    return;
  }
  i += 5;
  if (*i == ' ') i++;
  std::string_view id;
  while (*i == '[' && i < e) {
    const char *close = (const char *)memchr(i, ']', e - i);
    if (!close) break;
    if (id.empty() && close - i - 1 >= 16) id = std::string_view(i + 1, close - i - 1);
    i = close + 2;
  }
  if (id.empty()) { s.orphan++; return; }
  while (i < e && *i == ' ') i++;
  Rec *r;
  if (s.cached && id == s.cachedId) {
    r = s.cached;
  } else {
    auto it = s.active.find(std::string(id));
    if (it == s.active.end()) {
      auto dn = s.done.find(std::string(id));
      if (dn != s.done.end()) r = &dn->second;
      else {
        r = &s.active[std::string(id)];
        r->time = time;
        r->line = lineNo;
        r->offset = off;
        s.byId++;
      }
    } else r = &it->second;
    s.cachedId.assign(id);
    s.cached = r;
  }
  r->lines++;
  if (e - i > 8 && memcmp(i, "Started ", 8) == 0) {
    const char *q = find(i + 8, e, " \"");
    const char *f = find(q ? q : i, e, "\" for ");
    const char *at = f ? find(f + 6, e, " at ") : nullptr;
    if (q && f && at) {
      r->method.assign(i + 8, q);
      r->path.assign(q + 2, f);
      r->ip.assign(f + 6, at);
    }
  } else if (e - i > 14 && memcmp(i, "Processing by ", 14) == 0) {
    const char *sp = (const char *)memchr(i + 14, ' ', e - i - 14);
    if (sp) {
      r->action.assign(i + 14, sp);
      r->format.assign(sp + 4, e);
    }
  } else if (e - i > 12 && memcmp(i, "Parameters: ", 12) == 0) {
    r->params.assign(i + 12, e);
  } else if (e - i > 10 && memcmp(i, "Completed ", 10) == 0) {
    const char *stop;
    r->status = (int)num(i + 10, e, &stop);
    const char *in = find(stop, e, " in ");
    if (in) {
      r->duration = num(in + 4, e, &stop);
      const char *v = find(stop, e, "Views: ");
      if (v) r->view = num(v + 7, e, &stop);
      const char *dbp = find(stop, e, "ActiveRecord: ");
      if (dbp) r->db = num(dbp + 14, e, &stop);
    }
    r->completed = true;
    std::string key(id);
    auto node = s.active.extract(key);
    if (!node.empty()) {
      // Kept a while for the exception lines Rails logs after Completed; folded in batches.
      if (s.done.size() > 64) {
        for (auto &kv : s.done) fold(s, kv.second);
        s.done.clear();
      }
      s.done.insert(std::move(node));
      s.cached = nullptr;
    }
  } else if (b[0] == 'F') {
    const char *paren = find(i, e, " (");
    if (paren && paren > i && r->exceptionClass.empty()) r->exceptionClass.assign(i, paren);
  }
}

static void run(const char *base, size_t from, size_t to, State &s) {
  const char *p = base + from, *end = base + to;
  uint64_t lineNo = 0;
  while (p < end) {
    const char *nl = (const char *)memchr(p, '\n', end - p);
    const char *e = nl ? nl : end;
    line(s, p, e, ++lineNo, p - base);
    p = e + 1;
  }
  for (auto &kv : s.done) fold(s, kv.second);
  for (auto &kv : s.active) fold(s, kv.second);
}

int main(int argc, char **argv) {
  int threads = argc > 2 ? atoi(argv[2]) : 2;
  if (argc < 2) return 2;
  int fd = open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) return 1;
  const char *base = (const char *)mmap(nullptr, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  std::vector<size_t> cuts{0};
  for (int k = 1; k < threads; k++) {
    size_t c = st.st_size * k / threads;
    const char *nl = (const char *)memchr(base + c, '\n', st.st_size - c);
    cuts.push_back(nl ? nl - base + 1 : st.st_size);
  }
  cuts.push_back(st.st_size);
  std::vector<State> states(threads);
  std::vector<std::thread> pool;
  for (int k = 0; k < threads; k++)
    pool.emplace_back([&, k] { run(base, cuts[k], cuts[k + 1], states[k]); });
  for (auto &th : pool) th.join();
  uint64_t requests = 0, lines = 0;
  for (auto &s : states) {
    requests += s.requests;
    lines += s.lines;
  }
  printf("{\"lines\": %lu, \"requests\": %lu}\n", lines, requests);
}
