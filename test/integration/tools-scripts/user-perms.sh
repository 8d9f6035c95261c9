#!/bin/bash
# The non-root user's part of the permission test: one line per step with its
# exit code and the last part of the error message. Usage: user-perms.sh DIR
cd "$1" || exit 99
t() { local label=$1; shift; local err; err=$("$@" 2>&1 >/dev/null); local rc=$?; echo "$label rc=$rc ${err##*: }"; }
t create-in-sticky-root sh -c 'echo mine > userfile'
t owner-of-own-file stat -c '%U:%G %a' userfile
echo "owner: $(stat -c '%U:%G %a' userfile)"
t mkdir-in-sticky-root mkdir userdir
echo "dir owner: $(stat -c '%U:%G %a' userdir)"
t symlink-and-fifo sh -c 'ln -s userfile userlink && mkfifo userfifo'
echo "link owner: $(stat -c '%U' userlink) fifo owner: $(stat -c '%U %F' userfifo)"
t read-root-0644 cat rootfile
t append-root-0644 sh -c 'echo x >> rootfile'
t truncate-root-0644 truncate -s 0 rootfile
t create-in-root-0755 touch rootdir/x
t mkdir-in-root-0755 mkdir rootdir/y
t list-root-0700 ls private
t read-root-0600 cat secret
t delete-other-in-sticky rm -f other
t rename-other-in-sticky mv other other2
t delete-other-in-0777 rm -f open777/f
t delete-other-in-sticky-subdir rm -f sticky2/f
t delete-own-in-sticky-subdir sh -c 'touch sticky2/mine && rm sticky2/mine'
t chmod-own chmod 600 userfile
echo "after chmod: $(stat -c %a userfile)"
t chmod-root-file chmod 600 rootfile
t chown-own-to-root chown root userfile
t chgrp-own-to-root chgrp root userfile
t touch-d-root-file touch -d 2000-01-01 rootfile
t touch-root-file touch rootfile
t touch-d-own touch -d '2000-01-01 00:00:00' userfile
echo "own mtime: $(stat -c %y userfile)"
t setfattr-root-file setfattr -n user.k -v v rootfile
t setfattr-own setfattr -n user.k -v v userfile
t hardlink-root-file ln rootfile hardlink
t write-own-readonly sh -c 'chmod 400 userfile && echo y >> userfile'
t rm-own rm -f userfile userlink userfifo
t rmdir-own rmdir userdir
t exec-root-0644 ./rootfile
t exec-own-0755 sh -c 'printf "#!/bin/sh\necho ran\n" > prog && chmod 755 prog && ./prog && rm prog'
t setgid-dir-inherit sh -c 'touch sgdir/f && stat -c %g sgdir/f >&2'
ls -A | LC_ALL=C sort | tr '\n' ' '
