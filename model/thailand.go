package model

import (
	"strings"
	"unicode"
)

// ThaiProvince is one of Thailand's 76 provinces or Bangkok, the special
// administrative area that addresses treat as a province: 77 in all, each
// with its ISO 3166-2:TH code.
type ThaiProvince struct {
	Code   string // ISO 3166-2:TH, e.g. "TH-10"
	Name   string // the usual English spelling, e.g. "Bangkok"
	NameTH string // the Thai name, e.g. "กรุงเทพมหานคร"
}

// ThaiProvinces lists the 77 provinces in code order.
var ThaiProvinces = []ThaiProvince{
	{"TH-10", "Bangkok", "กรุงเทพมหานคร"},
	{"TH-11", "Samut Prakan", "สมุทรปราการ"},
	{"TH-12", "Nonthaburi", "นนทบุรี"},
	{"TH-13", "Pathum Thani", "ปทุมธานี"},
	{"TH-14", "Phra Nakhon Si Ayutthaya", "พระนครศรีอยุธยา"},
	{"TH-15", "Ang Thong", "อ่างทอง"},
	{"TH-16", "Lop Buri", "ลพบุรี"},
	{"TH-17", "Sing Buri", "สิงห์บุรี"},
	{"TH-18", "Chai Nat", "ชัยนาท"},
	{"TH-19", "Saraburi", "สระบุรี"},
	{"TH-20", "Chon Buri", "ชลบุรี"},
	{"TH-21", "Rayong", "ระยอง"},
	{"TH-22", "Chanthaburi", "จันทบุรี"},
	{"TH-23", "Trat", "ตราด"},
	{"TH-24", "Chachoengsao", "ฉะเชิงเทรา"},
	{"TH-25", "Prachin Buri", "ปราจีนบุรี"},
	{"TH-26", "Nakhon Nayok", "นครนายก"},
	{"TH-27", "Sa Kaeo", "สระแก้ว"},
	{"TH-30", "Nakhon Ratchasima", "นครราชสีมา"},
	{"TH-31", "Buri Ram", "บุรีรัมย์"},
	{"TH-32", "Surin", "สุรินทร์"},
	{"TH-33", "Si Sa Ket", "ศรีสะเกษ"},
	{"TH-34", "Ubon Ratchathani", "อุบลราชธานี"},
	{"TH-35", "Yasothon", "ยโสธร"},
	{"TH-36", "Chaiyaphum", "ชัยภูมิ"},
	{"TH-37", "Amnat Charoen", "อำนาจเจริญ"},
	{"TH-38", "Bueng Kan", "บึงกาฬ"},
	{"TH-39", "Nong Bua Lam Phu", "หนองบัวลำภู"},
	{"TH-40", "Khon Kaen", "ขอนแก่น"},
	{"TH-41", "Udon Thani", "อุดรธานี"},
	{"TH-42", "Loei", "เลย"},
	{"TH-43", "Nong Khai", "หนองคาย"},
	{"TH-44", "Maha Sarakham", "มหาสารคาม"},
	{"TH-45", "Roi Et", "ร้อยเอ็ด"},
	{"TH-46", "Kalasin", "กาฬสินธุ์"},
	{"TH-47", "Sakon Nakhon", "สกลนคร"},
	{"TH-48", "Nakhon Phanom", "นครพนม"},
	{"TH-49", "Mukdahan", "มุกดาหาร"},
	{"TH-50", "Chiang Mai", "เชียงใหม่"},
	{"TH-51", "Lamphun", "ลำพูน"},
	{"TH-52", "Lampang", "ลำปาง"},
	{"TH-53", "Uttaradit", "อุตรดิตถ์"},
	{"TH-54", "Phrae", "แพร่"},
	{"TH-55", "Nan", "น่าน"},
	{"TH-56", "Phayao", "พะเยา"},
	{"TH-57", "Chiang Rai", "เชียงราย"},
	{"TH-58", "Mae Hong Son", "แม่ฮ่องสอน"},
	{"TH-60", "Nakhon Sawan", "นครสวรรค์"},
	{"TH-61", "Uthai Thani", "อุทัยธานี"},
	{"TH-62", "Kamphaeng Phet", "กำแพงเพชร"},
	{"TH-63", "Tak", "ตาก"},
	{"TH-64", "Sukhothai", "สุโขทัย"},
	{"TH-65", "Phitsanulok", "พิษณุโลก"},
	{"TH-66", "Phichit", "พิจิตร"},
	{"TH-67", "Phetchabun", "เพชรบูรณ์"},
	{"TH-70", "Ratchaburi", "ราชบุรี"},
	{"TH-71", "Kanchanaburi", "กาญจนบุรี"},
	{"TH-72", "Suphan Buri", "สุพรรณบุรี"},
	{"TH-73", "Nakhon Pathom", "นครปฐม"},
	{"TH-74", "Samut Sakhon", "สมุทรสาคร"},
	{"TH-75", "Samut Songkhram", "สมุทรสงคราม"},
	{"TH-76", "Phetchaburi", "เพชรบุรี"},
	{"TH-77", "Prachuap Khiri Khan", "ประจวบคีรีขันธ์"},
	{"TH-80", "Nakhon Si Thammarat", "นครศรีธรรมราช"},
	{"TH-81", "Krabi", "กระบี่"},
	{"TH-82", "Phangnga", "พังงา"},
	{"TH-83", "Phuket", "ภูเก็ต"},
	{"TH-84", "Surat Thani", "สุราษฎร์ธานี"},
	{"TH-85", "Ranong", "ระนอง"},
	{"TH-86", "Chumphon", "ชุมพร"},
	{"TH-90", "Songkhla", "สงขลา"},
	{"TH-91", "Satun", "สตูล"},
	{"TH-92", "Trang", "ตรัง"},
	{"TH-93", "Phatthalung", "พัทลุง"},
	{"TH-94", "Pattani", "ปัตตานี"},
	{"TH-95", "Yala", "ยะลา"},
	{"TH-96", "Narathiwat", "นราธิวาส"},
}

// provinceAliases are other names people write for a province, by code:
// common romanisations and abbreviations. Spaces, hyphens, dots and case
// never matter (see provinceKey), so "Chonburi" needs no alias.
var provinceAliases = map[string][]string{
	"TH-10": {"Krung Thep", "Krung Thep Maha Nakhon", "Bangkok Metropolis", "BKK", "กรุงเทพ", "กรุงเทพฯ", "กทม"},
	"TH-14": {"Ayutthaya", "Ayudhya", "Phra Nakhon Sri Ayutthaya", "อยุธยา"},
	"TH-20": {"Chonburi", "Pattaya", "พัทยา"},
	"TH-30": {"Korat", "Khorat", "โคราช"},
	"TH-31": {"Buriram"},
	"TH-33": {"Sisaket", "Srisaket"},
	"TH-38": {"Bueng Kan", "Bungkan"},
	"TH-62": {"Kamphaengphet"},
	"TH-80": {"Nakhon Sri Thammarat"},
	"TH-82": {"Phang Nga", "Phang-nga"},
	"TH-84": {"Surat", "Suratthani"},
	"TH-93": {"Phattalung"},
}

// provinceByKey indexes every spelling by its key.
var provinceByKey = func() map[string]string {
	m := map[string]string{}
	for _, p := range ThaiProvinces {
		m[provinceKey(p.Name)] = p.Code
		m[provinceKey(p.NameTH)] = p.Code
		m[strings.ToLower(p.Code)] = p.Code
		m[strings.ToLower(p.Code[3:])] = p.Code
	}
	for code, names := range provinceAliases {
		for _, n := range names {
			m[provinceKey(n)] = code
		}
	}
	return m
}()

// provinceKey is the form province names are compared in: lower-cased,
// without the words for "province" (จังหวัด, จ., Changwat, Province), and
// with only letters and combining marks kept (Thai vowels and tone marks
// are marks), so that spacing, hyphens, dots and ฯ do not matter.
func provinceKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, p := range []string{"จังหวัด", "จ.", "changwat "} {
		s = strings.TrimSpace(strings.TrimPrefix(s, p))
	}
	s = strings.TrimSpace(strings.TrimSuffix(s, " province"))
	var b strings.Builder
	for _, r := range s {
		if r != 'ฯ' && (unicode.IsLetter(r) || unicode.IsMark(r)) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NormalizeThaiProvince returns the ISO 3166-2:TH code of the province s
// names: in English or Thai, by an alias, or by its code ("TH-10" or
// "10"); "Bangkok", "กรุงเทพมหานคร", "กทม." and "TH-10" all give "TH-10".
// ok is false when s names no province.
func NormalizeThaiProvince(s string) (code string, ok bool) {
	if code, ok := provinceByKey[strings.ToLower(strings.TrimSpace(s))]; ok {
		return code, true
	}
	code, ok = provinceByKey[provinceKey(s)]
	return code, ok
}

// ThaiProvinceByCode returns the province with the ISO code.
func ThaiProvinceByCode(code string) (ThaiProvince, bool) {
	for _, p := range ThaiProvinces {
		if p.Code == code {
			return p, true
		}
	}
	return ThaiProvince{}, false
}

// countryCodes are the ISO 3166-1 alpha-2 codes in use, and XK (Kosovo),
// which carriers use although ISO has not assigned it.
const countryCodes = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ " +
	"BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ " +
	"DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU " +
	"ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ " +
	"LA LB LC LI LK LR LS LT LU LV LY " +
	"MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
	"NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA " +
	"RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ " +
	"TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ " +
	"VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW"

var countrySet = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(countryCodes) {
		m[c] = true
	}
	return m
}()

// NormalizeCountry returns s as an ISO 3166-1 alpha-2 code (trimmed and
// upper-cased) when it is one in use, ok false otherwise.
func NormalizeCountry(s string) (code string, ok bool) {
	c := strings.ToUpper(strings.TrimSpace(s))
	return c, countrySet[c]
}
