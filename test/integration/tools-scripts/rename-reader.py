# A writer renames N fresh files over DIR/target while a reader process opens,
# fstats and reads it in a loop. Prints JSON: reads, mixed (content of neither
# one whole version), errors by step, final_ok. Usage: rename-reader.py DIR N
import json, os, re, subprocess, sys, time
d, n = sys.argv[1], int(sys.argv[2])
target, stop, ready = os.path.join(d, 'target'), os.path.join(d, 'stop'), os.path.join(d, 'ready')
def content(i): return (('gen%06d|' % i) * 40000)[: 150000 + (i % 7) * 20000].encode()
with open(target, 'wb') as f: f.write(content(0))
reader = subprocess.Popen([sys.executable, '-c', r'''
import json, os, re, sys
target, stop, ready = sys.argv[1], sys.argv[2], sys.argv[3]
def content(i): return (('gen%06d|' % i) * 40000)[: 150000 + (i % 7) * 20000].encode()
out = {'reads': 0, 'mixed': 0, 'errors': {}}
while not os.path.exists(stop):
    step = 'open'
    try:
        fd = os.open(target, os.O_RDONLY)
        try:
            step = 'fstat'
            os.fstat(fd)
            step = 'read'
            b = b''
            while True:
                c = os.read(fd, 1 << 20)
                if not c: break
                b += c
        finally:
            os.close(fd)
    except OSError as e:
        k = step + ':' + (e.strerror or str(e))
        out['errors'][k] = out['errors'].get(k, 0) + 1
        continue
    out['reads'] += 1
    if out['reads'] == 1: open(ready, 'w').close()
    if out['reads'] == 30: open(ready + '.enough', 'w').close()
    m = re.match(rb'gen(\d{6})\|', b)
    if not m or b != content(int(m.group(1))): out['mixed'] += 1
print(json.dumps(out))
''', target, stop, ready], stdout=subprocess.PIPE, text=True)
# The renames start once the reader has read once (a loaded machine may take seconds to start python).
deadline = time.time() + 120
while not os.path.exists(ready) and time.time() < deadline: time.sleep(0.01)
deadline = time.time() + 120
# At least n renames, and on until the reader has read 30 times meanwhile (however slow the machine).
i = 0
while i < n or (not os.path.exists(ready + '.enough') and time.time() < deadline):
    i += 1
    tmp = os.path.join(d, 'tmp.%d' % i)
    with open(tmp, 'wb') as f: f.write(content(i))
    os.rename(tmp, target)
open(stop, 'w').close()
res = json.loads(reader.communicate()[0])
res['renames'] = i
res['final_ok'] = open(target, 'rb').read() == content(i)
print(json.dumps(res))
