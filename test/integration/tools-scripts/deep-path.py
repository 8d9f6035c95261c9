# Builds nested directories with 250-byte names under DIR until the relative
# path is about 4,000 bytes, writes a file at the bottom, reads it back through
# the long relative path; a longer path must fail. Prints JSON. Usage: deep-path.py DIR
import json, os, sys
os.chdir(sys.argv[1])
name, rel = 'd' * 250, 'deep'
os.mkdir('deep'); os.chdir('deep')
while len(rel) + 1 + 250 + 1 + 100 < 4000:
    os.mkdir(name); os.chdir(name); rel += '/' + name
last = 'e' * min(250, 4000 - len(rel) - 1 - 101)
os.mkdir(last); os.chdir(last); rel += '/' + last
with open('f' * 100, 'w') as f: f.write('at the bottom')
rel += '/' + 'f' * 100
os.chdir(sys.argv[1])
out = {'len': len(rel), 'content': open(rel).read(), 'size': os.stat(rel).st_size}
try:
    os.stat(rel + '/' + 'x' * 100)
except OSError as e:
    out['too_long'] = e.strerror
print(json.dumps(out))
