package ovs

import (
	"encoding/binary"
	"fmt"
	"net"

	of "antrea.io/libOpenflow/openflow15"
)

// OpenFlow 1.5 port numbers and constants we use.
const (
	portInPort = 0xfffffff8 // OFPP_IN_PORT
	// portInPort16 is OFPP_IN_PORT in Nicira actions' 16-bit ports.
	portInPort16 = 0xfff8
	portAny      = 0xffffffff // OFPP_ANY
	groupAll     = 0xfffffffc // OFPG_ALL
	tableAll     = 0xff       // OFPTT_ALL
	// vlanPresent is OFPVID_PRESENT: the VLAN ID field of a tagged packet.
	vlanPresent = 0x1000
)

// learnPEMAC is learn(table=table, NXM_NX_REG0[]=NXM_OF_ARP_SPA[],
// load:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[], output:NXM_OF_IN_PORT[]):
// the learnt flows carry cookie 0 (not ours: Apply never removes them;
// a new ARP answer replaces one in place).
func learnPEMAC(table uint8) *of.NXActionLearn {
	field := func(name string) *of.NXLearnSpecField {
		f, _ := of.FindFieldHeaderByName(name, false)
		return &of.NXLearnSpecField{Field: f}
	}
	l := of.NewNXActionLearn()
	l.TableID, l.Priority = table, prioClassify
	l.LearnSpecs = []*of.NXLearnSpec{
		{Header: of.NewLearnHeaderMatchFromField(32), SrcField: field("NXM_OF_ARP_SPA"), DstField: field("NXM_NX_REG0")},
		{Header: of.NewLearnHeaderLoadFromField(48), SrcField: field("NXM_OF_ETH_SRC"), DstField: field("NXM_OF_ETH_DST")},
		{Header: of.NewLearnHeaderOutputFromField(16), SrcField: field("NXM_OF_IN_PORT")},
	}
	return l
}

// flowMod is the OpenFlow message that installs f (an add replaces a
// flow with the same match and priority in place).
func flowMod(f Flow) (*of.FlowMod, error) {
	m := of.NewFlowMod()
	m.Command = of.FC_ADD
	m.TableId = f.Table
	m.Priority = f.Priority
	m.Cookie = f.cookie()
	if err := encodeMatch(&m.Match, f.Match); err != nil {
		return nil, fmt.Errorf("flow %s: %w", f, err)
	}
	apply := of.NewInstrApplyActions()
	var tail []of.Instruction
	for _, op := range f.Ops {
		switch op.Kind {
		case WriteMetadata:
			tail = append(tail, of.NewInstrWriteMetadata(op.Value, ^uint64(0)))
		case GotoTable:
			tail = append(tail, of.NewInstrGotoTable(uint8(op.Value)))
		case Drop:
		default:
			acts, err := encodeOp(op)
			if err != nil {
				return nil, fmt.Errorf("flow %s: %w", f, err)
			}
			for _, a := range acts {
				if err := apply.AddAction(a, false); err != nil {
					return nil, err
				}
			}
		}
	}
	if len(apply.Actions) > 0 {
		m.AddInstruction(apply)
	}
	for _, i := range tail {
		m.AddInstruction(i)
	}
	return m, nil
}

// deleteByCookie removes the flow whose cookie is c, in any table.
func deleteByCookie(c uint64) *of.FlowMod {
	m := of.NewFlowMod()
	m.Command = of.FC_DELETE
	m.TableId = tableAll
	m.Cookie, m.CookieMask = c, ^uint64(0)
	return m
}

// groupMod installs (or, with modify, replaces) g.
func groupMod(g SelectGroup, modify bool, hashMethod string) (*of.GroupMod, error) {
	m := of.NewGroupMod()
	m.Command = of.OFPGC_ADD
	if modify {
		m.Command = of.OFPGC_MODIFY
	}
	m.Type = of.GT_SELECT
	m.GroupId = g.ID
	for i, b := range g.Buckets {
		bk := of.NewBucket(uint32(i))
		for _, op := range b {
			acts, err := encodeOp(op)
			if err != nil {
				return nil, fmt.Errorf("group %s: %w", g, err)
			}
			for _, a := range acts {
				bk.AddAction(a)
			}
		}
		m.AddBucket(*bk)
	}
	if hashMethod == "hash" {
		m.Properties = append(m.Properties, of.NewNTRSelectionMethod(of.NTR_HASH, 0,
			*of.NewEthTypeField(0), *of.NewIpv4SrcField(net.IPv4zero, nil), *of.NewIpv4DstField(net.IPv4zero, nil)))
	}
	return m, nil
}

// deleteGroup removes group id.
func deleteGroup(id uint32) *of.GroupMod {
	m := of.NewGroupMod()
	m.Command = of.OFPGC_DELETE
	m.GroupId = id
	return m
}

func encodeMatch(m *of.Match, x Match) error {
	if x.InPort != 0 {
		m.AddField(*of.NewInPortField(x.InPort))
	}
	if x.Metadata != 0 {
		m.AddField(*of.NewMetadataField(x.Metadata, nil))
	}
	if x.VLAN != 0 {
		m.AddField(*of.NewVlanIdField(x.VLAN|vlanPresent, nil))
	}
	if x.TunID != 0 {
		m.AddField(*of.NewTunnelIdField(x.TunID))
	}
	if x.EthDst != "" {
		hw, err := net.ParseMAC(x.EthDst)
		if err != nil {
			return err
		}
		m.AddField(*of.NewEthDstField(hw, nil))
	}
	if x.EthType != 0 {
		m.AddField(*of.NewEthTypeField(x.EthType))
	}
	if x.ArpOp != 0 {
		m.AddField(*of.NewArpOperField(x.ArpOp))
	}
	if x.ArpTPA.IsValid() {
		m.AddField(*of.NewArpTpaField(net.IP(x.ArpTPA.AsSlice())))
	}
	if x.MPLS != 0 {
		m.AddField(*of.NewMplsLabelField(x.MPLS))
	}
	if x.IPDst.IsValid() {
		ip := net.IP(x.IPDst.Addr().AsSlice())
		mask := net.IP(net.CIDRMask(x.IPDst.Bits(), 32))
		if x.IPDst.Bits() == 32 {
			m.AddField(*of.NewIpv4DstField(ip, nil))
		} else {
			m.AddField(*of.NewIpv4DstField(ip, &mask))
		}
	}
	return nil
}

func encodeOp(op Op) ([]of.Action, error) {
	mac := func() (net.HardwareAddr, error) { return net.ParseMAC(op.MAC) }
	switch op.Kind {
	case Output:
		return []of.Action{of.NewActionOutput(op.Port)}, nil
	case OutputInPort:
		return []of.Action{of.NewActionOutput(portInPort)}, nil
	case SetEthSrc, SetEthDst:
		hw, err := mac()
		if err != nil {
			return nil, err
		}
		if op.Kind == SetEthSrc {
			return []of.Action{of.NewActionSetField(*of.NewEthSrcField(hw, nil))}, nil
		}
		return []of.Action{of.NewActionSetField(*of.NewEthDstField(hw, nil))}, nil
	case DecTTL:
		return []of.Action{of.NewActionDecNwTtl()}, nil
	case PushMPLS:
		return []of.Action{of.NewActionPushMpls(ethMPLS)}, nil
	case PopMPLS:
		return []of.Action{of.NewActionPopMpls(ethIPv4)}, nil
	case SetMPLSLabel:
		return []of.Action{of.NewActionSetField(*of.NewMplsLabelField(uint32(op.Value)))}, nil
	case SetTunDst:
		return []of.Action{of.NewActionSetField(*of.NewTunnelIpv4DstField(net.IP(op.Addr.AsSlice()), nil))}, nil
	case SetTunID:
		return []of.Action{of.NewActionSetField(*of.NewTunnelIdField(op.Value))}, nil
	case Group:
		return []of.Action{of.NewActionGroup(uint32(op.Value))}, nil
	case SetReg0:
		a4 := op.Addr.As4()
		return []of.Action{of.NewActionSetField(*of.NewRegMatchField(0, binary.BigEndian.Uint32(a4[:]), nil))}, nil
	case Resubmit:
		return []of.Action{of.NewNXActionResubmitTableAction(portInPort16, uint8(op.Value))}, nil
	case LearnPEMAC:
		return []of.Action{learnPEMAC(uint8(op.Value))}, nil
	case PushVLAN:
		return []of.Action{of.NewActionPushVlan(0x8100)}, nil
	case PopVLAN:
		return []of.Action{of.NewActionPopVlan()}, nil
	case SetVLAN:
		return []of.Action{of.NewActionSetField(*of.NewVlanIdField(uint16(op.Value)|vlanPresent, nil))}, nil
	case ARPReply:
		hw, err := mac()
		if err != nil {
			return nil, err
		}
		return arpReply(hw), nil
	}
	return nil, fmt.Errorf("op %s cannot be encoded as an action", op)
}

// arpReply turns an ARP request into the reply that says the target has
// hw, back to where it came from (the output follows): the asker becomes
// the target, the asked address the sender. OpenFlow 1.5 moves fields with
// copy_field (Open vSwitch refuses Nicira's reg_move there).
func arpReply(hw net.HardwareAddr) []of.Action {
	basic := func(field, length uint8) of.OxmId {
		return *of.NewOxmId(of.OXM_CLASS_OPENFLOW_BASIC, field, false, length, 0)
	}
	ethSrc, ethDst := basic(of.OXM_FIELD_ETH_SRC, 6), basic(of.OXM_FIELD_ETH_DST, 6)
	sha, tha := basic(of.OXM_FIELD_ARP_SHA, 6), basic(of.OXM_FIELD_ARP_THA, 6)
	spa, tpa := basic(of.OXM_FIELD_ARP_SPA, 4), basic(of.OXM_FIELD_ARP_TPA, 4)
	reg0 := *of.NewOxmId(of.OXM_CLASS_NXM_1, of.NXM_NX_REG0, false, 4, 0)
	return []of.Action{
		of.NewActionCopyField(48, 0, 0, ethSrc, ethDst),
		of.NewActionSetField(*of.NewEthSrcField(hw, nil)),
		of.NewActionSetField(*of.NewArpOperField(2)),
		of.NewActionCopyField(48, 0, 0, sha, tha),
		of.NewActionCopyField(32, 0, 0, tpa, reg0),
		of.NewActionCopyField(32, 0, 0, spa, tpa),
		of.NewActionCopyField(32, 0, 0, reg0, spa),
		of.NewActionSetField(*of.NewArpShaField(hw)),
	}
}
