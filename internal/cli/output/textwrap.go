package output

import (
	"strings"
	"unicode"
)

// wrapText folds one line to lines of at most width characters with the
// rules of Python's textwrap.fill, which prettytable uses for cells wider
// than their column: break at whitespace, after a hyphen inside a word, and
// cut words longer than a line (preferably after a hyphen).
func wrapText(text string, width int) string {
	text = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, strings.ReplaceAll(text, "\t", "        "))
	chunks := splitChunks(text)
	// Work on a reversed stack like textwrap does.
	for i, j := 0, len(chunks)-1; i < j; i, j = i+1, j-1 {
		chunks[i], chunks[j] = chunks[j], chunks[i]
	}
	var lines []string
	for len(chunks) > 0 {
		var cur []string
		curLen := 0
		if strings.TrimSpace(chunks[len(chunks)-1]) == "" && len(lines) > 0 {
			chunks = chunks[:len(chunks)-1]
		}
		for len(chunks) > 0 {
			l := len([]rune(chunks[len(chunks)-1]))
			if curLen+l > width {
				break
			}
			cur = append(cur, chunks[len(chunks)-1])
			chunks = chunks[:len(chunks)-1]
			curLen += l
		}
		if len(chunks) > 0 && len([]rune(chunks[len(chunks)-1])) > width {
			cur, chunks = handleLongWord(chunks, cur, curLen, width)
		}
		if len(cur) > 0 && strings.TrimSpace(cur[len(cur)-1]) == "" {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			lines = append(lines, strings.Join(cur, ""))
		}
	}
	return strings.Join(lines, "\n")
}

func handleLongWord(chunks, cur []string, curLen, width int) ([]string, []string) {
	spaceLeft := 1
	if width >= 1 {
		spaceLeft = width - curLen
	}
	chunk := []rune(chunks[len(chunks)-1])
	end := spaceLeft
	if len(chunk) > spaceLeft {
		if h := lastIndexRune(chunk[:max(spaceLeft, 0)], '-'); h > 0 && strings.Trim(string(chunk[:h]), "-") != "" {
			end = h + 1
		}
	}
	end = max(0, min(end, len(chunk)))
	cur = append(cur, string(chunk[:end]))
	chunks[len(chunks)-1] = string(chunk[end:])
	if chunks[len(chunks)-1] == "" {
		chunks = chunks[:len(chunks)-1]
	}
	return cur, chunks
}

func lastIndexRune(r []rune, c rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if r[i] == c {
			return i
		}
	}
	return -1
}

func isLetter(r rune) bool { return unicode.IsLetter(r) }

// splitChunks cuts text into runs of spaces and words, and cuts a word after
// a hyphen preceded by two letters (or letter-hyphen-letter) and followed by
// a letter, as textwrap's word separator does.
func splitChunks(text string) []string {
	r := []rune(text)
	var chunks []string
	i := 0
	for i < len(r) {
		j := i
		if r[i] == ' ' {
			for j < len(r) && r[j] == ' ' {
				j++
			}
			chunks = append(chunks, string(r[i:j]))
			i = j
			continue
		}
		for j < len(r) && r[j] != ' ' {
			if r[j] == '-' && j > i && hyphenBreak(r, j) {
				j++
				break
			}
			j++
		}
		chunks = append(chunks, string(r[i:j]))
		i = j
	}
	return chunks
}

func hyphenBreak(r []rune, j int) bool {
	before := (j >= 2 && isLetter(r[j-1]) && isLetter(r[j-2])) ||
		(j >= 3 && isLetter(r[j-1]) && r[j-2] == '-' && isLetter(r[j-3]))
	if !before || j+1 >= len(r) || !isLetter(r[j+1]) {
		return false
	}
	if j+2 < len(r) && isLetter(r[j+2]) {
		return true
	}
	return j+3 < len(r) && r[j+2] == '-' && isLetter(r[j+3])
}
