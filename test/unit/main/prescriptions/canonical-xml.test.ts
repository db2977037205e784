import { describe, expect, it } from 'vitest';
import { canonicalise } from '../../../../main/prescriptions/xml/canonical-xml.js';
import { element } from '../../../../main/prescriptions/xml/xml-tree.js';

describe('canonicalise', () => {
  it('writes the namespace first, sorts the other attributes and writes every element with an end tag', () => {
    const tree = element('id', { root: 'R', extension: 'E', classCode: 'C' }, [element('empty')]);
    expect(canonicalise(tree, 'urn:hl7-org:v3')).toBe(
      '<id xmlns="urn:hl7-org:v3" classCode="C" extension="E" root="R"><empty></empty></id>',
    );
  });

  it('escapes text and attribute values as EPS does after re-parsing', () => {
    const tree = element('value', { displayName: 'a&b<c>d"e\t\tf\ng\r\nh' }, ['x & y < z > w "q" \r\n r \r s']);
    expect(canonicalise(tree)).toBe('<value displayName="a&amp;b&lt;c>d&quot;e f g h">x &amp; y &lt; z &gt; w "q" \n r \n s</value>');
  });

  it('keeps every other character, including non-ASCII and leading and trailing spaces', () => {
    expect(canonicalise(element('v', {}, ['  é ½ 😀  ']))).toBe('<v>  é ½ 😀  </v>');
  });
});
