/*
 * fsx: a file-operation exerciser written for mempool's tests, in the spirit
 * of the classic fsx (own code, not a copy). A seeded random sequence of
 * operations on one file -- read, write, truncate (grow and shrink), mapped
 * read (MAP_SHARED, PROT_READ), mapped write (MAP_SHARED, PROT_WRITE + msync),
 * close/reopen, fsync and optionally fallocate punch-hole/zero-range -- is
 * checked against an in-memory model of the file: every read's bytes and the
 * file size. On a mismatch it prints the failing operation, the offset, a hex
 * diff and the last operations, and exits 1 (2: usage or set-up error).
 *
 *   fsx [-N ops] [-S seed] [-l maxlen] [-o maxoplen] [-R] [-W] [-F] [-P n] [-q] FILE
 *     -N  operations (default 10000)          -S  seed (default: time)
 *     -l  largest file size (default 256 KiB)  -o  largest op length (default 64 KiB)
 *     -R  no mapped reads   -W  no mapped writes   -F  fallocate ops (skipped if unsupported)
 *     -P  print "progress N" every n ops (stdout, flushed)   -q  quiet
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif

enum op { OP_READ, OP_WRITE, OP_MAPREAD, OP_MAPWRITE, OP_TRUNCATE, OP_PUNCH, OP_FSYNC, OP_REOPEN, OP_COUNT };
static const char *op_names[] = {"read", "write", "mapread", "mapwrite", "truncate", "punch", "fsync", "reopen"};

#define LOG_SIZE 64
struct logent {
  long n;
  enum op op;
  long off, len, size_before;
};
static struct logent oplog[LOG_SIZE];
static long logged;

static const char *path;
static int fd = -1;
static unsigned char *model, *buf;
static long model_size;
static long maxlen = 256 * 1024, maxoplen = 64 * 1024;
static int no_mapread, no_mapwrite, with_falloc, quiet;
static long pagesize;
static long opno;
static uint64_t rng;

/* xorshift64*: a small, seedable generator (the same seed gives the same run). */
static uint64_t next_rand(void) {
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 2685821657736338717ULL;
}
static long rand_below(long n) { return n <= 0 ? 0 : (long)(next_rand() % (uint64_t)n); }

static void dump_log(void) {
  long first = logged > LOG_SIZE ? logged - LOG_SIZE : 0;
  fprintf(stderr, "last %ld operations:\n", logged - first);
  for (long i = first; i < logged; i++) {
    struct logent *e = &oplog[i % LOG_SIZE];
    fprintf(stderr, "  %6ld %-8s off 0x%lx len 0x%lx (size before 0x%lx)\n", e->n, op_names[e->op], e->off, e->len, e->size_before);
  }
}

static void fail(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "fsx: FAILED at op %ld: ", opno);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n");
  dump_log();
  exit(1);
}

static void log_op(enum op op, long off, long len) {
  struct logent *e = &oplog[logged % LOG_SIZE];
  e->n = opno;
  e->op = op;
  e->off = off;
  e->len = len;
  e->size_before = model_size;
  logged++;
}

/* Compares got (read at off) with the model; on a difference prints a hex diff around the first bad byte and fails. */
static void check_bytes(const char *what, const unsigned char *got, long off, long len) {
  for (long i = 0; i < len; i++) {
    if (got[i] == model[off + i]) continue;
    long bad = 0;
    for (long j = i; j < len; j++) bad += got[j] != model[off + j];
    fprintf(stderr, "fsx: %s: %ld bad bytes in [0x%lx, 0x%lx), first at file offset 0x%lx\n", what, bad, off, off + len, off + i);
    long from = i & ~15L, to = from + 64 < len ? from + 64 : len;
    fprintf(stderr, "  offset     expected                                         got\n");
    for (long r = from; r < to; r += 16) {
      fprintf(stderr, "  0x%08lx ", off + r);
      for (long k = r; k < r + 16; k++) k < to ? fprintf(stderr, "%02x", model[off + k]) : fprintf(stderr, "  ");
      fprintf(stderr, "  ");
      for (long k = r; k < r + 16 && k < to; k++) fprintf(stderr, "%02x%s", got[k], got[k] != model[off + k] ? "*" : "");
      fprintf(stderr, "\n");
    }
    fail("%s at 0x%lx len 0x%lx returned wrong data", what, off, len);
  }
}

static void check_size(const char *what) {
  struct stat st;
  if (fstat(fd, &st) < 0) fail("%s: fstat: %s", what, strerror(errno));
  if (st.st_size != model_size) fail("%s: file size 0x%lx, expected 0x%lx", what, (long)st.st_size, model_size);
}

static void open_file(int flags) {
  fd = open(path, O_RDWR | flags, 0644);
  if (fd < 0) {
    fprintf(stderr, "fsx: open %s: %s\n", path, strerror(errno));
    exit(2);
  }
}

/* The bytes an op writes: different for every op, never 0 (so that a hole or a lost write shows). */
static void fill(unsigned char *p, long off, long len) {
  unsigned char base = (unsigned char)(opno * 37);
  for (long i = 0; i < len; i++) {
    unsigned char v = (unsigned char)(base + ((off + i) % 251));
    p[i] = v ? v : 1;
  }
}

static void do_read(long off, long len) {
  if (off + len > model_size) len = model_size > off ? model_size - off : 0;
  log_op(OP_READ, off, len);
  long done = 0;
  while (done < len) {
    ssize_t n = pread(fd, buf + done, len - done, off + done);
    if (n < 0) fail("read at 0x%lx len 0x%lx: %s", off, len, strerror(errno));
    if (n == 0) fail("read at 0x%lx len 0x%lx: short read, 0x%lx bytes (model size 0x%lx)", off, len, done, model_size);
    done += n;
  }
  check_bytes("read", buf, off, len);
  check_size("read");
}

static void do_write(long off, long len) {
  log_op(OP_WRITE, off, len);
  fill(buf, off, len);
  long done = 0;
  while (done < len) {
    ssize_t n = pwrite(fd, buf + done, len - done, off + done);
    if (n < 0) fail("write at 0x%lx len 0x%lx: %s", off, len, strerror(errno));
    done += n;
  }
  if (off > model_size) memset(model + model_size, 0, off - model_size);
  memcpy(model + off, buf, len);
  if (off + len > model_size) model_size = off + len;
}

static void do_truncate(long size) {
  log_op(OP_TRUNCATE, size, 0);
  if (ftruncate(fd, size) < 0) fail("truncate to 0x%lx: %s", size, strerror(errno));
  if (size > model_size) memset(model + model_size, 0, size - model_size);
  else memset(model + size, 0, model_size - size);
  model_size = size;
  check_size("truncate");
}

static void do_mapread(long off, long len) {
  if (off + len > model_size) len = model_size > off ? model_size - off : 0;
  log_op(OP_MAPREAD, off, len);
  if (len == 0) return;
  long pg = off & ~(pagesize - 1), mlen = len + (off - pg);
  unsigned char *p = mmap(NULL, mlen, PROT_READ, MAP_SHARED, fd, pg);
  if (p == MAP_FAILED) fail("mmap read at 0x%lx len 0x%lx: %s", off, len, strerror(errno));
  memcpy(buf, p + (off - pg), len);
  if (munmap(p, mlen) < 0) fail("munmap: %s", strerror(errno));
  check_bytes("mapread", buf, off, len);
}

static void do_mapwrite(long off, long len) {
  log_op(OP_MAPWRITE, off, len);
  if (len == 0) return;
  if (off + len > model_size) {
    /* a mapping cannot extend a file: grow it first, as fsx does */
    if (ftruncate(fd, off + len) < 0) fail("mapwrite: grow to 0x%lx: %s", off + len, strerror(errno));
    memset(model + model_size, 0, off + len - model_size);
    model_size = off + len;
  }
  long pg = off & ~(pagesize - 1), mlen = len + (off - pg);
  unsigned char *p = mmap(NULL, mlen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
  if (p == MAP_FAILED) fail("mmap write at 0x%lx len 0x%lx: %s", off, len, strerror(errno));
  fill(buf, off, len);
  memcpy(p + (off - pg), buf, len);
  if (msync(p, mlen, MS_SYNC) < 0) fail("msync at 0x%lx len 0x%lx: %s", off, len, strerror(errno));
  if (munmap(p, mlen) < 0) fail("munmap: %s", strerror(errno));
  memcpy(model + off, buf, len);
  check_size("mapwrite");
}

/* Punches a hole (keeping the size); returns 0 when the file system does not support it (the op is then dropped). */
static int do_punch(long off, long len) {
  if (off + len > model_size) len = model_size > off ? model_size - off : 0;
  if (len == 0) return 1;
  log_op(OP_PUNCH, off, len);
  if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len) < 0) {
    if (errno == EOPNOTSUPP || errno == ENOSYS) return 0;
    fail("punch hole at 0x%lx len 0x%lx: %s", off, len, strerror(errno));
  }
  memset(model + off, 0, len);
  return 1;
}

static void do_reopen(void) {
  log_op(OP_REOPEN, 0, 0);
  if (close(fd) < 0) fail("close: %s", strerror(errno));
  open_file(0);
  check_size("reopen");
}

static void do_fsync(void) {
  log_op(OP_FSYNC, 0, 0);
  if (fsync(fd) < 0) fail("fsync: %s", strerror(errno));
}

/* Reads the whole file and compares it with the model. */
static void check_all(const char *what) {
  long saved = opno;
  check_size(what);
  for (long off = 0; off < model_size; off += maxoplen) {
    long len = model_size - off < maxoplen ? model_size - off : maxoplen;
    ssize_t n = pread(fd, buf, len, off);
    if (n != len) fail("%s: read at 0x%lx: %s", what, off, n < 0 ? strerror(errno) : "short");
    check_bytes(what, buf, off, len);
  }
  opno = saved;
}

static void usage(void) {
  fprintf(stderr, "usage: fsx [-N ops] [-S seed] [-l maxlen] [-o maxoplen] [-R] [-W] [-F] [-P n] [-q] FILE\n");
  exit(2);
}

int main(int argc, char **argv) {
  long nops = 10000, progress = 0;
  uint64_t seed = (uint64_t)time(NULL);
  int c;
  while ((c = getopt(argc, argv, "N:S:l:o:RWFP:q")) != -1) {
    switch (c) {
      case 'N': nops = atol(optarg); break;
      case 'S': seed = strtoull(optarg, NULL, 0); break;
      case 'l': maxlen = atol(optarg); break;
      case 'o': maxoplen = atol(optarg); break;
      case 'R': no_mapread = 1; break;
      case 'W': no_mapwrite = 1; break;
      case 'F': with_falloc = 1; break;
      case 'P': progress = atol(optarg); break;
      case 'q': quiet = 1; break;
      default: usage();
    }
  }
  if (optind != argc - 1 || maxlen <= 0 || maxoplen <= 0 || nops < 0) usage();
  if (maxoplen > maxlen) maxoplen = maxlen;
  path = argv[optind];
  pagesize = sysconf(_SC_PAGESIZE);
  rng = seed * 0x9E3779B97F4A7C15ULL + 1;
  model = calloc(1, maxlen);
  buf = malloc(maxlen);
  if (!model || !buf) return 2;
  open_file(O_CREAT | O_TRUNC);
  struct timeval t0, t1;
  gettimeofday(&t0, NULL);
  long counts[OP_COUNT] = {0};
  for (opno = 1; opno <= nops; opno++) {
    long r = rand_below(100);
    enum op op = r < 22 ? OP_READ : r < 44 ? OP_WRITE : r < 60 ? OP_MAPREAD : r < 76 ? OP_MAPWRITE : r < 86 ? OP_TRUNCATE : r < 91 ? OP_PUNCH : r < 95 ? OP_FSYNC : OP_REOPEN;
    if (op == OP_MAPREAD && no_mapread) op = OP_READ;
    if (op == OP_MAPWRITE && no_mapwrite) op = OP_WRITE;
    if (op == OP_PUNCH && !with_falloc) op = OP_TRUNCATE;
    long off = rand_below(maxlen), len = 1 + rand_below(maxoplen);
    if (op == OP_READ || op == OP_MAPREAD || op == OP_PUNCH) off = rand_below(model_size > 0 ? model_size : 1);
    if (off + len > maxlen) len = maxlen - off;
    switch (op) {
      case OP_READ: do_read(off, len); break;
      case OP_WRITE: do_write(off, len); break;
      case OP_MAPREAD: do_mapread(off, len); break;
      case OP_MAPWRITE: do_mapwrite(off, len); break;
      case OP_TRUNCATE: do_truncate(rand_below(maxlen + 1)); break;
      case OP_PUNCH:
        if (!do_punch(off, len)) {
          logged--;
          with_falloc = 0;
          if (!quiet) fprintf(stderr, "fsx: fallocate punch-hole not supported; dropped\n");
        }
        break;
      case OP_FSYNC: do_fsync(); break;
      case OP_REOPEN: do_reopen(); break;
      default: break;
    }
    counts[op]++;
    if (progress > 0 && opno % progress == 0) {
      printf("progress %ld\n", opno);
      fflush(stdout);
    }
    if (opno % 1000 == 0) check_all("periodic full check");
  }
  opno = nops;
  check_all("final check");
  do_reopen();
  check_all("final check after reopen");
  gettimeofday(&t1, NULL);
  double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_usec - t0.tv_usec) / 1e6;
  printf("fsx: ok: %ld ops, seed %" PRIu64 ", %.1f s", nops, seed, secs);
  for (int i = 0; i < OP_COUNT; i++) printf(", %s %ld", op_names[i], counts[i]);
  printf("\n");
  close(fd);
  return 0;
}
