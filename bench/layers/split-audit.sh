#!/usr/bin/env bash
# bench/layers/split-audit.sh — the moves that laid audit's files out as what an
# audit is (X.go: types, payloads, the folds of a list of entries, checks) under
# its use cases on the store (X_store.go: what opens a transaction, reads or
# appends the trail). Every step moves declarations unchanged (bench/layers/move).
#
# A branch that edited audit's files before the split lays its own files out
# the same way first, then merges: the moves are by declaration name, so they
# follow its edits, and the merge is left with only the code both sides changed.
# From that branch's worktree (the script acts on the repository it is run in):
#
#   /path/to/layering/bench/layers/split-audit.sh && git add -A audit && git commit -m "audit: laid out as on main"
#   git merge main
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$(git rev-parse --show-toplevel)"
bin=$(mktemp -d)/move
(cd "$here/move" && go build -o "$bin" .)
mv() { "$bin" -dir audit -to "$@"; }

mv actions_store.go caseActions loadCase Store.followUp Store.Actions Store.RespondAction Store.CloseAction \
	Store.moveAction Store.ActionSummary Store.Now
mv allocate_store.go Store.Allocate Store.allocateTx Store.Allocation loadAllocation
mv answers_store.go Store.Form
mv audits_store.go Store.CreateAudit Store.createAuditTx Store.Grow Store.growTx Store.CaseFactors auditFromRow \
	loadAudit auditKey readAuditNamed Store.Audit loadAudits Store.Latest Store.Cases loadCases caseRows \
	Store.AuditedSince checkInSample
mv draw_store.go Draw Store.createAudit Grow
mv findings_store.go Store.Record recordReads Store.recordTx latestFinding loadFindings loadFindingsIn loadBoth \
	loadBothIn Store.Findings Store.ModerationPairs
mv handout_store.go Store.Handout loadHandout
mv import_workbooks_store.go Import ImportFiles
mv lookup_store.go retiredRefs Store.LookUp matchCase lookUpEntries
mv moderation_store.go Store.DrawModeration Store.Moderation loadModeration checkModerated
mv monthly_store.go MonthlyDraw.State
mv owners_store.go Store.SetTeamManager Store.TeamManagers storeTeamManagers auditTeamManagers assignByTeam \
	Store.currentTeamManagers
mv people_store.go Store.People Store.VerifyPeople Store.Login Store.AddPerson Store.RemovePerson Store.may \
	Store.actorIn Store.MayDo Store.Acting
mv redact_store.go Store.Redact redactEntry
mv rederive_store.go Rederive rederiveAudit Store.sampleSteps Verify
mv retire_store.go Store.Retention Store.SetRetention Store.RetirePlan retirePlan candidate Store.Retired \
	Store.VerifyLog retireHook Store.Retire retiredNamed
mv signoff.go figureKinds SignOffState SignOffState.Amendment signOffOf ErrSignedOff ErrIncomplete incompleteOf
mv status_store.go loadStatus Store.Status Store.Audits Store.AuditsWithFindings holdAudits
mv auditors.go ErrUnknownAuditor UnknownAuditorError UnknownAuditorError.Error UnknownAuditorError.Spell \
	UnknownAuditorError.Is auditorRule auditorKinds auditorsIn auditorRule.resolve
mv trail_store.go Store.noteNetwork Store.noteNetworkLog entries caseEntries Store.appendEntry Store.History \
	Store.Trail Store.NetworkWrites
mv verify_store.go Store.Verify verifyAudit
mv withdraw_store.go Store.Withdrawals loadWithdrawals Store.ActiveCases checkNotWithdrawn Withdraw \
	checkWithdrawable Store.reallocateReplacement
mv workbooks_store.go Store.Workbook

# What the audit is declares its follow-up rule and the columns of audits
# recorded before schema 2; the request types and their checks are one file.
mv audits.go OwnerRule OwnerRule.Owner legacyAudit legacyParams legacyAuditJSON Audit.fromLegacy
rm audit/legacy.go
perl -0pi -e 's|(// legacyAudit is the audit row of schema 1\.)|// Audits recorded before schema version 2 kept how their sample was drawn\n// in the audit row\x27s columns and, for what those lacked, in the command\n// line\x27s own JSON ("params"). Their trail\x27s first entry vouches for those\n// columns, so they are kept as they are; the provenance is rebuilt from them\n// when the audit is read.\n\n$1|' audit/audits.go
mv draw.go DrawRequest.Problems recordedOnce factorOptions GrowRequest.Problems GrowRequest.Check CheckWorkbookName
rm audit/drawcheck.go
mv factors_request.go factorRecorder measureFactors
# Recording is a use case over the findings' reads, not one of them.
mv record_store.go RecordResult Store.Record recordReads Store.recordTx findingFacts Store.mayRecord
rm audit/duties_check.go
# The store handle words its own refusals and says who is acting; reading an
# audit by name is the audits' read.
mv open.go dutyAttempt Store.attempt Store.refusedBy Store.Login
rm audit/refusal.go
mv audits_store.go readAudit retiredNamed
mv history_store.go Store.History Store.Trail
mv trail.go KindWithdrawal
mv open.go Store.noteNetwork Store.noteNetworkLog
git mv audit/store_auditors.go audit/auditors_store.go
# The workbook's writer stands above the sheets it writes.
"$bin" -dir audit/workbook -to write.go Write
