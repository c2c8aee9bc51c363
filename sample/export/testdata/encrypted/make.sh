#!/usr/bin/env bash
# make.sh — re-make the encrypted workbooks the reader's tests open, with
# programs other than caseaudit: LibreOffice writes cases.xlsx from
# cases.csv, and officecrypto-tool (npm) encrypts it the ways Excel does.
#
#   sample/export/testdata/encrypted/make.sh
#
# Needs soffice (apt-get install libreoffice-calc) and npm.
#   agile.xlsx      agile AES-256, SHA-512 (Excel 2013 and later, LibreOffice), password "s3cret £"
#   standard.xlsx   standard AES-128, SHA-1 (Excel 2007), password "s3cret £"
#   velvet.xlsx     agile, Excel's default password VelvetSweatshop (protected for editing only)
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
soffice -env:UserInstallation=file://"$work"/profile --headless --convert-to xlsx --outdir "$work" cases.csv >/dev/null
(cd "$work" && npm install --silent --no-audit --no-fund officecrypto-tool@0.0.19 >/dev/null)
cat >"$work/encrypt.js" <<'JS'
const crypto = require('officecrypto-tool');
const fs = require('fs');
const [src, dst, password, type] = process.argv.slice(2);
const opts = {password};
if (type) opts.type = type;
fs.writeFileSync(dst, crypto.encrypt(fs.readFileSync(src), opts));
JS
node "$work/encrypt.js" "$work/cases.xlsx" agile.xlsx 's3cret £'
node "$work/encrypt.js" "$work/cases.xlsx" standard.xlsx 's3cret £' standard
node "$work/encrypt.js" "$work/cases.xlsx" velvet.xlsx VelvetSweatshop
