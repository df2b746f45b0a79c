#!/bin/sh
# Debian packages that hold text used by the task and corpus builders (run as root, once).
#   fortunes, fortunes-min : /usr/share/games/fortunes/<category>  (BSD)
#   bsdgames               : /usr/share/games/bsdgames/quiz/*      (BSD)
#   r-cran-janeaustenr     : R lazy-load data (data/Rdata.rdb)     (MIT)
# janeaustenr is only downloaded and unpacked under tools/work/deb (installing it would pull in
# all of R); lib/rdata.mjs reads its data without R. An installed copy is used if present.
set -eu
cd "$(dirname "$0")/../.."
apt-get install -y --no-install-recommends fortunes fortunes-min bsdgames
mkdir -p tools/work/deb
cd tools/work/deb
rm -f r-cran-janeaustenr_*.deb
apt-get download r-cran-janeaustenr
rm -rf root && mkdir root
dpkg-deb -x r-cran-janeaustenr_*.deb root
dpkg-deb -f r-cran-janeaustenr_*.deb Version > r-cran-janeaustenr.version
echo "janeaustenr $(cat r-cran-janeaustenr.version) unpacked in tools/work/deb/root"
