package resolver

import (
	"github.com/langran/langran/graph/gqlmodel"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// actorNodeType is the node type of an audit entry's actor.
func actorNodeType(k model.ViewerKind) model.NodeType {
	switch k {
	case model.ViewerPartner:
		return model.TypeAPIKey
	case model.ViewerCustomer:
		return model.TypeCustomer
	}
	return model.TypeStaffMember
}

// decodeAuditFilter converts the audit log's filter.
func decodeAuditFilter(f *gqlmodel.AuditLogFilter) (store.AuditFilter, error) {
	var out store.AuditFilter
	if f == nil {
		return out, nil
	}
	if f.ObjectID != nil {
		g, err := model.DecodeGlobalID(*f.ObjectID)
		if err != nil {
			return out, model.InvalidField([]string{"filter", "objectId"}, "objectId is not a valid ID")
		}
		out.ObjectType, out.ObjectID = string(g.Type), g.ID
	}
	if f.ObjectType != nil {
		if out.ObjectType != "" && out.ObjectType != *f.ObjectType {
			return out, model.InvalidField([]string{"filter", "objectType"}, "objectType does not match objectId")
		}
		out.ObjectType = *f.ObjectType
	}
	if f.ActorID != nil {
		g, err := model.DecodeGlobalID(*f.ActorID)
		if err != nil || (g.Type != model.TypeStaffMember && g.Type != model.TypeAPIKey) {
			return out, model.InvalidField([]string{"filter", "actorId"}, "actorId must be a StaffMember or ApiKey ID")
		}
		out.ActorKind, out.ActorID = model.ViewerStaff, g.ID
		if g.Type == model.TypeAPIKey {
			out.ActorKind = model.ViewerPartner
		}
	}
	out.Since, out.Until = f.Since, f.Until
	return out, nil
}
