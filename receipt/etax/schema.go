package etax

import "encoding/xml"

// The structs below are the part of the ETDA Cross Industry Invoice
// message (ขมธอ. 3-2560) that Langran fills in, in the schema's element
// order: XSD sequences are ordered, so field order here is part of the
// format. Element names carry their prefixes literally ("ram:ID"); the
// root declares what the prefixes mean, and the ram namespace differs per
// document kind, so the same structs serve all four kinds.

type message struct {
	XMLName     xml.Name          // rsm:<Kind>_CrossIndustryInvoice, set per kind
	XMLNSRsm    string            `xml:"xmlns:rsm,attr"`
	XMLNSRam    string            `xml:"xmlns:ram,attr"`
	Context     documentContext   `xml:"rsm:ExchangedDocumentContext"`
	Document    exchangedDocument `xml:"rsm:ExchangedDocument"`
	Transaction transaction       `xml:"rsm:SupplyChainTradeTransaction"`
}

type documentContext struct {
	Guideline guideline `xml:"ram:GuidelineSpecifiedDocumentContextParameter"`
}

type guideline struct {
	ID schemeID `xml:"ram:ID"`
}

type schemeID struct {
	SchemeAgencyID  string `xml:"schemeAgencyID,attr,omitempty"`
	SchemeVersionID string `xml:"schemeVersionID,attr,omitempty"`
	SchemeID        string `xml:"schemeID,attr,omitempty"`
	Value           string `xml:",chardata"`
}

type exchangedDocument struct {
	ID            string `xml:"ram:ID"`
	Name          string `xml:"ram:Name"`
	TypeCode      string `xml:"ram:TypeCode"`
	IssueDateTime string `xml:"ram:IssueDateTime"`
	Purpose       string `xml:"ram:Purpose,omitempty"`
	PurposeCode   string `xml:"ram:PurposeCode,omitempty"`
	Notes         []note `xml:"ram:IncludedNote"`
}

type note struct {
	Subject string `xml:"ram:Subject"`
	Content string `xml:"ram:Content"`
}

type transaction struct {
	Agreement  headerAgreement  `xml:"ram:ApplicableHeaderTradeAgreement"`
	Delivery   struct{}         `xml:"ram:ApplicableHeaderTradeDelivery"`
	Settlement headerSettlement `xml:"ram:ApplicableHeaderTradeSettlement"`
	Lines      []lineItem       `xml:"ram:IncludedSupplyChainTradeLineItem"`
}

type headerAgreement struct {
	Seller     tradeParty          `xml:"ram:SellerTradeParty"`
	Buyer      *tradeParty         `xml:"ram:BuyerTradeParty"`
	BuyerOrder *referencedDocument `xml:"ram:BuyerOrderReferencedDocument"`
	Additional *referencedDocument `xml:"ram:AdditionalReferencedDocument"`
}

type tradeParty struct {
	Name    string           `xml:"ram:Name"`
	Tax     *taxRegistration `xml:"ram:SpecifiedTaxRegistration"`
	Address *tradeAddress    `xml:"ram:PostalTradeAddress"`
}

type taxRegistration struct {
	ID schemeID `xml:"ram:ID"`
}

type tradeAddress struct {
	PostcodeCode string   `xml:"ram:PostcodeCode,omitempty"`
	LineOne      string   `xml:"ram:LineOne"`
	CountryID    schemeID `xml:"ram:CountryID"`
}

type referencedDocument struct {
	IssuerAssignedID  string `xml:"ram:IssuerAssignedID"`
	IssueDateTime     string `xml:"ram:IssueDateTime,omitempty"`
	ReferenceTypeCode string `xml:"ram:ReferenceTypeCode,omitempty"`
}

type headerSettlement struct {
	Currency listCode        `xml:"ram:InvoiceCurrencyCode"`
	Tax      *tradeTax       `xml:"ram:ApplicableTradeTax"`
	Summary  headerSummation `xml:"ram:SpecifiedTradeSettlementHeaderMonetarySummation"`
}

type listCode struct {
	ListID string `xml:"listID,attr,omitempty"`
	Value  string `xml:",chardata"`
}

type tradeTax struct {
	TypeCode         string `xml:"ram:TypeCode"`
	CalculatedRate   string `xml:"ram:CalculatedRate"`
	BasisAmount      string `xml:"ram:BasisAmount"`
	CalculatedAmount string `xml:"ram:CalculatedAmount"`
}

type headerSummation struct {
	OriginalInformationAmount   string `xml:"ram:OriginalInformationAmount,omitempty"`
	LineTotalAmount             string `xml:"ram:LineTotalAmount"`
	DifferenceInformationAmount string `xml:"ram:DifferenceInformationAmount,omitempty"`
	TaxBasisTotalAmount         string `xml:"ram:TaxBasisTotalAmount"`
	TaxTotalAmount              string `xml:"ram:TaxTotalAmount"`
	GrandTotalAmount            string `xml:"ram:GrandTotalAmount"`
}

type lineItem struct {
	Document   lineDocument   `xml:"ram:AssociatedDocumentLineDocument"`
	Product    product        `xml:"ram:SpecifiedTradeProduct"`
	Agreement  lineAgreement  `xml:"ram:SpecifiedLineTradeAgreement"`
	Delivery   lineDelivery   `xml:"ram:SpecifiedLineTradeDelivery"`
	Settlement lineSettlement `xml:"ram:SpecifiedLineTradeSettlement"`
}

type lineDocument struct {
	LineID int `xml:"ram:LineID"`
}

type product struct {
	ID   string `xml:"ram:ID,omitempty"`
	Name string `xml:"ram:Name"`
}

type lineAgreement struct {
	GrossPrice tradePrice `xml:"ram:GrossPriceProductTradePrice"`
}

type tradePrice struct {
	ChargeAmount string `xml:"ram:ChargeAmount"`
}

type lineDelivery struct {
	BilledQuantity quantity `xml:"ram:BilledQuantity"`
}

type quantity struct {
	UnitCode string `xml:"unitCode,attr"`
	Value    int    `xml:",chardata"`
}

type lineSettlement struct {
	Tax       *tradeTax        `xml:"ram:ApplicableTradeTax"`
	Allowance *allowanceCharge `xml:"ram:SpecifiedTradeAllowanceCharge"`
	Summary   lineSummation    `xml:"ram:SpecifiedTradeSettlementLineMonetarySummation"`
}

type allowanceCharge struct {
	ChargeIndicator bool   `xml:"ram:ChargeIndicator"`
	ActualAmount    string `xml:"ram:ActualAmount"`
}

type lineSummation struct {
	TaxTotalAmount                   string `xml:"ram:TaxTotalAmount"`
	NetLineTotalAmount               string `xml:"ram:NetLineTotalAmount"`
	NetIncludingTaxesLineTotalAmount string `xml:"ram:NetIncludingTaxesLineTotalAmount"`
}
