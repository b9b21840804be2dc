import { activeWords, countOf, groupMembersFilter, emailsOf, lastPageStart, listQueryOf, listQueryString, memberCountWords, personName } from './directory.js';

describe('the directory pages\' pure parts', () => {
  it('reads filter and paging from the URL, with defaults and the API\'s cap', () => {
    expect(listQueryOf(new URLSearchParams(''))).toEqual({ filter: '', startIndex: 1, count: 50 });
    expect(listQueryOf(new URLSearchParams('filter=%20userName%20sw%20%22a%22%20&startIndex=51&count=20'))).toEqual({ filter: 'userName sw "a"', startIndex: 51, count: 20 });
    expect(listQueryOf(new URLSearchParams('startIndex=-3&count=99999'))).toEqual({ filter: '', startIndex: 1, count: 1_000 });
    expect(listQueryOf(new URLSearchParams('startIndex=abc&count=0'))).toEqual({ filter: '', startIndex: 1, count: 50 });
  });

  it('writes another page\'s query without defaults', () => {
    expect(listQueryString({ filter: '', startIndex: 1, count: 50 }, 1)).toEqual({ filter: undefined, startIndex: undefined, count: undefined });
    expect(listQueryString({ filter: 'active eq true', startIndex: 1, count: 20 }, 21)).toEqual({ filter: 'active eq true', startIndex: 21, count: 20 });
  });

  it('names a person from name.formatted, else from its parts', () => {
    expect(personName({ name: { formatted: 'Ann Lee', givenName: 'A' } })).toBe('Ann Lee');
    expect(personName({ name: { givenName: 'Ann', familyName: 'Lee', middleName: '' } })).toBe('Ann Lee');
    expect(personName({ name: { givenName: 42 } })).toBeNull();
    expect(personName({})).toBeNull();
  });

  it('says active in words, lists emails primary first, and reads capped counts', () => {
    expect([true, false, undefined, 'true'].map(activeWords)).toEqual(['active', 'inactive', 'not set', 'not set']);
    expect(emailsOf({ emails: [{ value: 'b@x', type: 'home' }, { value: 'a@x', primary: true, type: 'work' }, { type: 'other' }, 'junk'] })).toEqual(['a@x (work)', 'b@x (home)']);
    expect(emailsOf({ emails: 'a@x' })).toEqual([]);
    expect(memberCountWords({ count: 1_000, capped: true })).toBe('1,000 or more');
    expect(memberCountWords({ count: 3, capped: false })).toBe('3');
    expect(memberCountWords(undefined)).toBe('—');
  });

  it('finds the last page\'s start', () => {
    expect(lastPageStart(100_000, 50)).toBe(99_951);
    expect(lastPageStart(55, 50)).toBe(51);
    expect(lastPageStart(50, 50)).toBe(1);
    expect(lastPageStart(1, 50)).toBe(1);
    expect(lastPageStart(0, 50)).toBeNull();
    expect([0, 1, 100_000].map((n) => countOf(n, 'user'))).toEqual(['0 users', '1 user', '100,000 users']);
  });

  it('writes the filter of a group\'s members, escaping what was typed', () => {
    expect(groupMembersFilter('g-1')).toBe('groups[value eq "g-1"]');
    expect(groupMembersFilter('g-1', '  ')).toBe('groups[value eq "g-1"]');
    expect(groupMembersFilter('g-1', ' ann ')).toBe('groups[value eq "g-1"] and userName sw "ann"');
    expect(groupMembersFilter('g-1', 'a"b\\c')).toBe('groups[value eq "g-1"] and userName sw "a\\"b\\\\c"');
  });
});
