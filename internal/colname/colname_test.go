package colname

import "testing"

func TestMatch(t *testing.T) {
	names := []string{"Case Reference", "Team", "Allocated Worker", "Legal Status", "Team"}
	for _, c := range []struct {
		name string
		want int
	}{
		{"Team", 1}, {" team ", 1}, {"allocated  worker", 2}, {"Allocated-Worker", 2}, {"allocated_worker", 2},
		{"AllocatedWorker", 2}, {"legal status", 3}, {"Worker", -1}, {"", -1}, {"---", -1},
	} {
		if got := Match(names, c.name); got != c.want {
			t.Errorf("Match(%q) = %d, want %d", c.name, got, c.want)
		}
	}
	// Two different names with one key are ambiguous for a loose match, but
	// each still matches exactly.
	amb := []string{"Case-Ref", "Case Ref."}
	if got := Match(amb, "caseref"); got != -1 {
		t.Errorf("ambiguous loose match = %d, want -1", got)
	}
	if got := Match(amb, "case ref."); got != 1 {
		t.Errorf("exact match = %d, want 1", got)
	}
}

func TestPersonal(t *testing.T) {
	for col, want := range map[string]bool{
		"Forename": true, "Surname": true, "Date of Birth": true, "DOB": true, "Child Name": true, "Name": true,
		"Home Address": true, "Postcode": true, "NHS Number": true, "UPN": true, "Email": true,
		"Team": false, "Team Name": false, "Allocated Worker": false, "Worker Name": false, "Legal Status": false,
		"Case Reference": false, "Referral Date": false, "Service Name": false,
	} {
		if got := Personal(col); got != want {
			t.Errorf("Personal(%q) = %v, want %v", col, got, want)
		}
	}
	for col, want := range map[string]bool{"Forename": true, "Surname": true, "Child's Name": true, "Date of Birth": false, "Postcode": false, "Team Name": false} {
		if got := PersonName(col); got != want {
			t.Errorf("PersonName(%q) = %v, want %v", col, got, want)
		}
	}
}

func TestStaff(t *testing.T) {
	for c, want := range map[string]bool{
		"Allocated Worker": true, "Social Worker": true, "Team Manager": true, "Key worker": true, "IRO": true,
		"Team": false, "Legal Status": false, "Service": false, "Child Name": false, "Workers in 12m": false, // a count of workers, not a name
	} {
		if got := Staff(c); got != want {
			t.Errorf("Staff(%q) = %v, want %v", c, got, want)
		}
	}
}
