package hoxtontest

import (
	"net/http"
	"time"
)

// Cameras are not upserted: a physical sensor is claimed once by serial
// number (POST /cameras), then paused/resumed and relabelled (A4).

var (
	cameraCreateFields = []field{
		{name: "serialNumber", kind: kString, required: true, nonEmpty: true},
		{name: "siteId", kind: kUUID, required: true},
		str("name"),
	}
	cameraUpdateFields = []field{str("name"), str("direction1Alias"), str("direction2Alias")}
	cameraStates       = []string{"running", "paused"}
)

// claimCamera implements POST /cameras: 404 unless the site is an active site
// of the caller's organisation, 409 when the serial was ever claimed (by
// anyone), else 201 with a new camera and a new camera position.
func (s *Server) claimCamera(w http.ResponseWriter, r *http.Request, p principal) {
	body, err := decodeObject(r)
	if err != nil {
		writeErr(w, err)
		return
	}
	vals, msgs := validateBody(cameraCreateFields, nil, body)
	if len(msgs) > 0 {
		unprocessable(w, msgs)
		return
	}
	serial, siteID := vals["serialNumber"].(string), vals["siteId"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	site := s.get("sites", siteID)
	if site == nil || isDeleted(site) || s.orgOf("sites", site) != p.org {
		writeError(w, http.StatusNotFound, "site "+siteID+" not found")
		return
	}
	if s.claims[serial] {
		writeError(w, http.StatusConflict, "camera "+serial+" is already claimed")
		return
	}
	s.claims[serial] = true
	now := timestamp(time.Now())
	name, ok := vals["name"].(string)
	if !ok {
		name = serial
	}
	cam := map[string]any{
		"id": newUUID(), "serialNumber": serial, "name": name,
		"organisationId": p.org, "siteId": siteID, "cameraPositionId": newUUID(),
		"state": "running", "claimedAt": now, "isOnline": true, "lastSeenAt": now, "lastVideoAt": now,
		"encodedFramesProportion": 0.98, "networkTransmitRate": 1.5,
		"videoBacklog": 0.0, "videoUploadLatency": 2.0,
	}
	s.put("cameras", cam)
	s.put("camera-positions", map[string]any{
		"id": cam["cameraPositionId"], "cameraId": cam["id"], "organisationId": p.org,
		"siteId": siteID, "createdAt": now,
	})
	writeJSON(w, http.StatusCreated, copyObject(cam))
}

// updateCamera implements PUT /cameras/{id} (assumption A4): a full
// replacement of name and the direction labels, 204.
func (s *Server) updateCamera(w http.ResponseWriter, r *http.Request, p principal, id string) {
	body, err := decodeObject(r)
	if err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cam, err := s.lookup(collections["cameras"], id, p)
	if err != nil {
		writeErr(w, err)
		return
	}
	vals, msgs := validateBody(cameraUpdateFields, nil, body)
	if len(msgs) > 0 {
		unprocessable(w, msgs)
		return
	}
	for _, f := range cameraUpdateFields {
		delete(cam, f.name)
		if v, ok := vals[f.name]; ok {
			cam[f.name] = v
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// setCameraState implements PUT /cameras/{id}/state/{running|paused}, which
// answers 201 without a body, as published.
func (s *Server) setCameraState(w http.ResponseWriter, p principal, id, state string) {
	if msg := checkValue(field{enum: cameraStates}, "newState", kEnum, state); msg != "" {
		unprocessable(w, []string{msg})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cam, err := s.lookup(collections["cameras"], id, p)
	if err != nil {
		writeErr(w, err)
		return
	}
	cam["state"] = state
	w.WriteHeader(http.StatusCreated)
}

// ClaimElsewhere marks a serial number as claimed by an organisation the
// caller cannot see: POST /cameras answers 409 for it, and GET
// /cameras?serialNumber= finds nothing. By default any serial can be claimed
// once.
func (s *Server) ClaimElsewhere(serial string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.claims[serial] = true
}
