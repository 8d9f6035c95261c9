# Writes SRC to DST in 1 MiB write() calls until one fails (a full file
# system), then closes DST and compares what DST holds with what write()
# acknowledged. Prints JSON. Usage: fill-writer.py SRC DST
import json, os, sys
src, dst = sys.argv[1], sys.argv[2]
data = open(src, 'rb').read()
out = {'acked': 0, 'write_error': None, 'close_error': None}
fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
try:
    while out['acked'] < len(data):
        out['acked'] += os.write(fd, data[out['acked']:out['acked'] + (1 << 20)])
except OSError as e:
    out['write_error'] = e.strerror
try:
    os.close(fd)
except OSError as e:
    out['close_error'] = e.strerror
held = open(dst, 'rb').read()
out['size'] = len(held)
out['kept_acked'] = held[:out['acked']] == data[:out['acked']] and len(held) >= out['acked']
print(json.dumps(out))
