package render

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"unicode/utf16"

	"github.com/tdewolff/canvas"
	"github.com/tdewolff/canvas/renderers/pdf"
)

// Why this file exists: a PDF viewer copies text by mapping each glyph back
// to a character through the font's ToUnicode map, which canvas builds from
// the font's cmap. Thai shaping swaps glyphs the cmap does not know (a tone
// mark moved left over ป, ฐ without its tail) and splits SARA AM (ำ) into
// NIKHAHIT and SARA AA, so "น้ำ" would copy as "นา" and "กำกับ" as "กํากับ".
// PDF's answer is marked content with /ActualText, the characters a run of
// glyphs stands for, which viewers and pdftotext prefer to the glyphs.
// canvas cannot write marked content, so we record each text run's
// characters while canvas draws and wrap its text objects afterwards.

// textRecorder passes everything to the PDF renderer and remembers, in
// drawing order, the characters of each text span: canvas's PDF renderer
// writes exactly one BT…ET text object per span, in the same order.
type textRecorder struct {
	*pdf.PDF
	spans []string
}

// RenderText records the spans of t and draws it.
func (r *textRecorder) RenderText(t *canvas.Text, m canvas.Matrix) {
	t.WalkSpans(func(_, _ float64, s canvas.TextSpan) {
		if s.IsText() {
			r.spans = append(r.spans, s.Text)
		}
	})
	r.PDF.RenderText(t, m)
}

// pdfObject is one "N 0 obj … endobj" of the file canvas wrote.
type pdfObject struct {
	num    int
	dict   []byte // a stream's dictionary, or the whole value of any other object
	stream []byte // nil for objects that are not streams
}

var (
	objectStart = regexp.MustCompile(`^(\d+) 0 obj\n`)
	lengthKey   = regexp.MustCompile(`/Length (\d+)`)
	contentsKey = regexp.MustCompile(`/Contents (\d+) 0 R`)
)

// addActualText rewrites an uncompressed PDF written by canvas: it wraps the
// i-th text object of the page contents in /ActualText spans[i], compresses
// every stream and writes a new cross-reference table. It reads only the
// plain layout canvas writes (one object after another, a classic xref),
// and fails rather than guess if the file or the count of text objects is
// not what it expects.
func addActualText(raw []byte, spans []string) ([]byte, error) {
	// Two header lines: the version and a binary comment.
	first := bytes.IndexByte(raw, '\n')
	if first >= 0 {
		if n := bytes.IndexByte(raw[first+1:], '\n'); n >= 0 {
			first += n + 1
		} else {
			first = -1
		}
	}
	xref := bytes.LastIndex(raw, []byte("\nxref\n"))
	trailer := bytes.LastIndex(raw, []byte("\ntrailer\n"))
	startxref := bytes.LastIndex(raw, []byte("\nstartxref\n"))
	if first < 0 || xref < first || trailer < xref || startxref < trailer {
		return nil, errors.New("actual text: unexpected PDF layout")
	}
	header := raw[:first+1]
	trailerDict := raw[trailer+1 : startxref+1]

	var objects []pdfObject
	contents := map[int]bool{}
	for p := first + 1; p < xref+1; {
		m := objectStart.FindSubmatch(raw[p:])
		if m == nil {
			return nil, fmt.Errorf("actual text: no object at offset %d", p)
		}
		num, _ := strconv.Atoi(string(m[1]))
		p += len(m[0])
		end := bytes.Index(raw[p:], []byte("\nendobj\n"))
		streamAt := bytes.Index(raw[p:], []byte(">>stream\n"))
		if end < 0 {
			return nil, fmt.Errorf("actual text: object %d does not end", num)
		}
		obj := pdfObject{num: num}
		if streamAt >= 0 && streamAt < end {
			obj.dict = raw[p : p+streamAt+2]
			lm := lengthKey.FindSubmatch(obj.dict)
			if lm == nil {
				return nil, fmt.Errorf("actual text: stream %d has no length", num)
			}
			n, _ := strconv.Atoi(string(lm[1]))
			data := p + streamAt + len(">>stream\n")
			tail := []byte("\nendstream\n\nendobj\n")
			if data+n+len(tail) > len(raw) || !bytes.Equal(raw[data+n:data+n+len(tail)], tail) {
				return nil, fmt.Errorf("actual text: stream %d is not %d bytes long", num, n)
			}
			obj.stream = raw[data : data+n]
			p = data + n + len(tail)
		} else {
			obj.dict = raw[p : p+end]
			for _, cm := range contentsKey.FindAllSubmatch(obj.dict, -1) {
				c, _ := strconv.Atoi(string(cm[1]))
				contents[c] = true
			}
			p += end + len("\nendobj\n")
		}
		objects = append(objects, obj)
	}

	// Content streams come before their pages in the file, and pages in
	// order, so the text objects appear in the order they were drawn.
	next := 0
	for i := range objects {
		o := &objects[i]
		if o.stream == nil || !contents[o.num] {
			continue
		}
		if bytes.Contains(o.dict, []byte("/Filter")) {
			return nil, fmt.Errorf("actual text: page contents %d are already compressed", o.num)
		}
		var err error
		if o.stream, next, err = wrapTextObjects(o.stream, spans, next); err != nil {
			return nil, err
		}
	}
	if next != len(spans) {
		return nil, fmt.Errorf("actual text: %d text objects for %d text spans", next, len(spans))
	}

	var out bytes.Buffer
	out.Write(header)
	offsets := map[int]int{}
	for _, o := range objects {
		offsets[o.num] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n", o.num)
		if o.stream == nil {
			out.Write(o.dict)
			out.WriteString("\nendobj\n")
			continue
		}
		dict, data := o.dict, o.stream
		if !bytes.Contains(dict, []byte("/Filter")) {
			var z bytes.Buffer
			zw := zlib.NewWriter(&z)
			zw.Write(data)
			zw.Close()
			data = z.Bytes()
			dict = append([]byte("<</Filter/FlateDecode"), dict[2:]...)
		}
		dict = lengthKey.ReplaceAll(dict, []byte("/Length "+strconv.Itoa(len(data))))
		out.Write(dict)
		out.WriteString("stream\n")
		out.Write(data)
		out.WriteString("\nendstream\n\nendobj\n")
	}
	xrefAt := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for n := 1; n <= len(objects); n++ {
		off, ok := offsets[n]
		if !ok {
			return nil, fmt.Errorf("actual text: object %d missing", n)
		}
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	out.Write(trailerDict)
	fmt.Fprintf(&out, "startxref\n%d\n%%%%EOF\n", xrefAt)
	return out.Bytes(), nil
}

// wrapTextObjects wraps each BT…ET of a content stream in a /Span with
// /ActualText, taking the texts from spans[next:]. It skips literal
// strings, whose bytes are glyph IDs and may look like anything.
func wrapTextObjects(content []byte, spans []string, next int) ([]byte, int, error) {
	var out bytes.Buffer
	isDelim := func(i int) bool {
		return i < 0 || i >= len(content) || content[i] == ' ' || content[i] == '\n'
	}
	for i := 0; i < len(content); i++ {
		c := content[i]
		switch {
		case c == '(':
			// A literal string: balanced parentheses, backslash escapes.
			depth, j := 0, i
			for ; j < len(content); j++ {
				if content[j] == '\\' {
					j++
					continue
				}
				if content[j] == '(' {
					depth++
				} else if content[j] == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			if j >= len(content) {
				return nil, 0, errors.New("actual text: unterminated string in page contents")
			}
			out.Write(content[i : j+1])
			i = j
		case c == 'B' && i+1 < len(content) && content[i+1] == 'T' && isDelim(i-1) && isDelim(i+2):
			if next >= len(spans) {
				return nil, 0, errors.New("actual text: more text objects than text spans")
			}
			out.WriteString("/Span<</ActualText<")
			out.WriteString(utf16Hex(spans[next]))
			out.WriteString(">>>BDC BT")
			next++
			i++
		case c == 'E' && i+1 < len(content) && content[i+1] == 'T' && isDelim(i-1) && isDelim(i+2):
			out.WriteString("ET EMC")
			i++
		default:
			out.WriteByte(c)
		}
	}
	return out.Bytes(), next, nil
}

// utf16Hex writes s as a PDF text string: UTF-16BE with a byte order mark,
// in hexadecimal.
func utf16Hex(s string) string {
	var b bytes.Buffer
	b.WriteString("FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return b.String()
}
